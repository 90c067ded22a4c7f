// Conformance adapter for the built package: node run.mjs --adapter packages/jinja/conformance/adapter.mjs
import * as jinja from '@phial/jinja';
import { renderCase } from './render-case.mjs';

export async function render(c) {
  return renderCase(jinja, c);
}
