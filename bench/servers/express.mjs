// Express 5 with its defaults (ETag, x-powered-by) and route-level middlewares; nunjucks for /fortunes.
import express from 'express';
import nunjucks from 'nunjucks';
import { fortunesForRequest, portFromArgs, RESOURCE_COUNT, TEMPLATES_DIR, TEXT_TYPE } from './data.mjs';

const app = express();
nunjucks.configure(TEMPLATES_DIR, { autoescape: true, express: app });
app.set('view cache', true);

app.get('/plaintext', (_req, res) => {
  res.type(TEXT_TYPE).send('Hello, World!');
});

app.get('/json', (_req, res) => {
  res.json({ message: 'Hello, World!' });
});

for (let n = 0; n < RESOURCE_COUNT; n++) {
  app.get(`/api/v1/resource${n}/:id`, (req, res) => {
    res.json({ resource: n, id: Number(req.params.id) });
  });
}

app.get('/user/:id/posts/:post', (req, res) => {
  res.json({ user: Number(req.params.id), post: Number(req.params.post) });
});

// Five no-op middlewares on this route only.
const noop = (_req, _res, next) => next();
app.get('/hooks', noop, noop, noop, noop, noop, (_req, res) => {
  res.type(TEXT_TYPE).send('ok');
});

app.post('/echo', express.json(), (req, res) => {
  res.json(req.body);
});

app.get('/fortunes', (_req, res) => {
  res.render('fortunes.html', { fortunes: fortunesForRequest() });
});

const port = portFromArgs();
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
