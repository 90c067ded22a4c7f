// Conformance adapter running the TypeScript sources (node --import tsx run.mjs --adapter ...).
import * as jinja from '../src/index.ts';

const UNDEF = {
  default: jinja.Undefined,
  strict: jinja.StrictUndefined,
  chainable: jinja.ChainableUndefined,
};

export async function render(c) {
  const o = c.options || {};
  const env = new jinja.Environment({
    loader: new jinja.DictLoader({ ...(c.templates || {}), main: c.template }),
    autoescape: !!o.autoescape,
    trimBlocks: !!o.trim_blocks,
    lstripBlocks: !!o.lstrip_blocks,
    keepTrailingNewline: !!o.keep_trailing_newline,
    ...(o.undefined ? { undefined: UNDEF[o.undefined] } : {}),
    ...(o.extensions ? { extensions: o.extensions } : {}),
  });
  return String(env.getTemplate('main').render(c.context || {}));
}
