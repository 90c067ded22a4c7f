// Hono 4 on @hono/node-server; route-level middlewares for /hooks. No /fortunes (no nunjucks integration).

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { JSON_TYPE, portFromArgs, RESOURCE_COUNT, TEXT_TYPE } from './data.mjs';

const app = new Hono();
const TEXT = { 'Content-Type': TEXT_TYPE };
const JSON_HEADERS = { 'Content-Type': JSON_TYPE };

app.get('/plaintext', (c) => c.body('Hello, World!', 200, TEXT));

app.get('/json', (c) => c.json({ message: 'Hello, World!' }, 200, JSON_HEADERS));

for (let n = 0; n < RESOURCE_COUNT; n++) {
  app.get(`/api/v1/resource${n}/:id`, (c) =>
    c.json({ resource: n, id: Number(c.req.param('id')) }, 200, JSON_HEADERS),
  );
}

app.get('/user/:id/posts/:post', (c) =>
  c.json({ user: Number(c.req.param('id')), post: Number(c.req.param('post')) }, 200, JSON_HEADERS),
);

// Five no-op middlewares on this route only.
const noop = async (_c, next) => {
  await next();
};
app.get('/hooks', noop, noop, noop, noop, noop, (c) => c.body('ok', 200, TEXT));

app.post('/echo', async (c) => c.json(await c.req.json(), 200, JSON_HEADERS));

const port = portFromArgs();
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`ready ${info.port}`);
});
void server;
