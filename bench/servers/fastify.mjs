// Fastify 5, idiomatic: response schemas (fast-json-stringify) on the JSON routes, route-scoped onRequest hooks.

import fastifyView from '@fastify/view';
import Fastify from 'fastify';
import nunjucks from 'nunjucks';
import { fortunesForRequest, portFromArgs, RESOURCE_COUNT, TEMPLATES_DIR, TEXT_TYPE } from './data.mjs';
import { ITEM_JSON_SCHEMA } from './items.mjs';

const app = Fastify({ logger: false });

await app.register(fastifyView, { engine: { nunjucks }, templates: TEMPLATES_DIR, production: true });

app.get('/plaintext', (_req, reply) => {
  reply.type(TEXT_TYPE).send('Hello, World!');
});

const messageSchema = {
  schema: {
    response: { 200: { type: 'object', properties: { message: { type: 'string' } } } },
  },
};
app.get('/json', messageSchema, (_req, reply) => {
  reply.send({ message: 'Hello, World!' });
});

const resourceSchema = {
  schema: {
    response: {
      200: { type: 'object', properties: { resource: { type: 'integer' }, id: { type: 'integer' } } },
    },
  },
};
for (let n = 0; n < RESOURCE_COUNT; n++) {
  app.get(`/api/v1/resource${n}/:id`, resourceSchema, (req, reply) => {
    reply.send({ resource: n, id: Number(req.params.id) });
  });
}

const userPostSchema = {
  schema: {
    response: {
      200: { type: 'object', properties: { user: { type: 'integer' }, post: { type: 'integer' } } },
    },
  },
};
app.get('/user/:id/posts/:post', userPostSchema, (req, reply) => {
  reply.send({ user: Number(req.params.id), post: Number(req.params.post) });
});

// Five no-op onRequest hooks scoped to this route (route-level `onRequest`), so other routes do not pay for them.
const noop = (_req, _reply, done) => done();
app.get('/hooks', { onRequest: [noop, noop, noop, noop, noop] }, (_req, reply) => {
  reply.type(TEXT_TYPE).send('ok');
});

app.post('/echo', (req, reply) => {
  reply.send(req.body);
});

// POST /items with a plain JSON Schema: ajv validates the body, fast-json-stringify the 201 response.
app.post(
  '/items',
  { schema: { body: ITEM_JSON_SCHEMA, response: { 201: ITEM_JSON_SCHEMA } } },
  (req, reply) => {
    reply.code(201).send(req.body);
  },
);

app.get('/fortunes', (_req, reply) => {
  return reply.view('fortunes.html', { fortunes: fortunesForRequest() });
});

const port = portFromArgs();
await app.listen({ port, host: '127.0.0.1' });
console.log(`ready ${app.server.address().port}`);
