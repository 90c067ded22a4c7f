/** @phial/jinja: a Jinja2-compatible template engine compiled to JavaScript. */
export const VERSION = '0.1.0';
