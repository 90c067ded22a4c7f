/** Phial: a Flask-style micro web framework for TypeScript. */
export const VERSION = '0.1.0';
