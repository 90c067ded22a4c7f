// The same Phial app with the opt-in promise-hooks context mechanism instead of the AsyncLocalStorage
// default: the difference between the `phial` and `phial-hooks` rows is what ALS costs per endpoint.
process.env.PHIAL_CONTEXT = 'promise-hooks';
await import('./phial.mjs');
