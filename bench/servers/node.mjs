// Raw node:http: the floor every framework is compared with. Hand-written routing, no framework.
import http from 'node:http';
import { JSON_TYPE, portFromArgs, RESOURCE_COUNT, TEXT_TYPE } from './data.mjs';

// Strings, not Buffers: node sends headers and a string body in one write (a Buffer body costs a writev).
const PLAINTEXT = 'Hello, World!';
const TEXT_HEADERS = { 'Content-Type': TEXT_TYPE, 'Content-Length': PLAINTEXT.length };
const OK = 'ok';
const OK_HEADERS = { 'Content-Type': TEXT_TYPE, 'Content-Length': OK.length };
const RESOURCE_PREFIX = '/api/v1/resource';
const DIGITS = /^\d+$/;

function sendJson(res, value) {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function notFound(res) {
  res.writeHead(404, { 'Content-Type': TEXT_TYPE, 'Content-Length': 9 });
  res.end('Not Found');
}

/** The five no-op "before request" hooks of /hooks: plain function calls. */
function hook1(_req, _res) {}
function hook2(_req, _res) {}
function hook3(_req, _res) {}
function hook4(_req, _res) {}
function hook5(_req, _res) {}

function readBody(req, res, done) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let value;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'Content-Type': TEXT_TYPE, 'Content-Length': 11 });
      res.end('Bad Request');
      return;
    }
    done(value);
  });
}

/** `/api/v1/resource<N>/<id>` → [N, id], or null. */
function matchResource(path) {
  const slash = path.indexOf('/', RESOURCE_PREFIX.length);
  if (slash === -1) return null;
  const n = path.slice(RESOURCE_PREFIX.length, slash);
  const id = path.slice(slash + 1);
  if (!DIGITS.test(n) || !DIGITS.test(id)) return null;
  const resource = Number(n);
  return resource < RESOURCE_COUNT ? [resource, Number(id)] : null;
}

/** `/user/<id>/posts/<post>` → [id, post], or null. */
function matchUserPost(path) {
  const parts = path.split('/');
  if (parts.length !== 5 || parts[2] === '' || parts[3] !== 'posts') return null;
  if (!DIGITS.test(parts[2]) || !DIGITS.test(parts[4])) return null;
  return [Number(parts[2]), Number(parts[4])];
}

const server = http.createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const method = req.method;

  if (method === 'POST') {
    if (path === '/echo') return readBody(req, res, (value) => sendJson(res, value));
    return notFound(res);
  }
  if (method !== 'GET') return notFound(res);

  switch (path) {
    case '/plaintext':
      res.writeHead(200, TEXT_HEADERS);
      return res.end(PLAINTEXT);
    case '/json':
      return sendJson(res, { message: 'Hello, World!' });
    case '/hooks':
      hook1(req, res);
      hook2(req, res);
      hook3(req, res);
      hook4(req, res);
      hook5(req, res);
      res.writeHead(200, OK_HEADERS);
      return res.end(OK);
  }
  if (path.startsWith(RESOURCE_PREFIX)) {
    const m = matchResource(path);
    if (m !== null) return sendJson(res, { resource: m[0], id: m[1] });
  } else if (path.startsWith('/user/')) {
    const m = matchUserPost(path);
    if (m !== null) return sendJson(res, { user: m[0], post: m[1] });
  }
  notFound(res);
});

const port = portFromArgs();
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
