// The one mapping from a conformance case to @phial/jinja's API, shared by the adapter for the built package
// and the one for the TypeScript sources, so both measure the same thing.
export function renderCase(jinja, c) {
  const o = c.options || {};
  const undefinedClasses = {
    default: jinja.Undefined,
    strict: jinja.StrictUndefined,
    chainable: jinja.ChainableUndefined,
  };
  const env = new jinja.Environment({
    loader: new jinja.DictLoader({ ...(c.templates || {}), main: c.template }),
    autoescape: !!o.autoescape,
    trimBlocks: !!o.trim_blocks,
    lstripBlocks: !!o.lstrip_blocks,
    keepTrailingNewline: !!o.keep_trailing_newline,
    ...(o.undefined ? { undefined: undefinedClasses[o.undefined] } : {}),
    ...(o.extensions ? { extensions: o.extensions } : {}),
  });
  return String(env.getTemplate('main').render(c.context || {}));
}
