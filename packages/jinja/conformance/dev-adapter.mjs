// Conformance adapter running the TypeScript sources:
// NODE_OPTIONS="--import tsx" node run.mjs --adapter packages/jinja/conformance/dev-adapter.mjs
import * as jinja from '../src/index.ts';
import { renderCase } from './render-case.mjs';

export async function render(c) {
  return renderCase(jinja, c);
}
