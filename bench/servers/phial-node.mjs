// The same Phial app served by node:http (`app.handler`) instead of Phial's own HTTP/1.1 server: the
// difference between the two rows is what the server is worth.
process.env.PHIAL_SERVER = 'node';
await import('./phial.mjs');
