// Phial, written the way the docs teach (public API of the built 'phial' package only).

import * as phial from 'phial';
import { fortunesForRequest, JSON_TYPE, portFromArgs, RESOURCE_COUNT, TEXT_TYPE } from './data.mjs';
import { ItemZod } from './items.mjs';

const { Phial, Blueprint, DefaultJSONProvider, Response, renderTemplate } = phial;

const app = new Phial(import.meta.url);

// Same JSON bytes as the peers. Flask's provider sorts keys, ends JSON bodies with a newline and sends
// `application/json` without a charset; Flask's documented way to change that is a DefaultJSONProvider subclass.
class BenchJSONProvider extends DefaultJSONProvider {
  sortKeys = false;
  mimetype = JSON_TYPE;
  responseBody(value) {
    const body = super.responseBody(value);
    return body.endsWith('\n') ? body.slice(0, -1) : body;
  }
}
app.json = new BenchJSONProvider(app);

app.get('/plaintext', () => new Response('Hello, World!', { contentType: TEXT_TYPE }));

app.get('/json', () => ({ message: 'Hello, World!' }));

for (let n = 0; n < RESOURCE_COUNT; n++) {
  app.get(`/api/v1/resource${n}/<int:id>`, { endpoint: `resource${n}` }, (req) => ({
    resource: n,
    id: req.params.id,
  }));
}

app.get('/user/<int:id>/posts/<int:post>', (req) => ({ user: req.params.id, post: req.params.post }));

// Five no-op beforeRequest hooks scoped with a blueprint (Flask's idiom), so other routes do not pay for them.
const hooks = new Blueprint('hooks', import.meta.url);
for (let i = 0; i < 5; i++) hooks.beforeRequest(() => undefined);
hooks.get('/hooks', () => new Response('ok', { contentType: TEXT_TYPE }));
app.registerBlueprint(hooks);

app.post('/echo', (req) => req.json);

// Typed validation: the zod schema checks the body and the 201 response (FastAPI's response_model + status_code).
app.post('/items', { body: ItemZod, response: ItemZod, statusCode: 201 }, (req) => req.body);

// Fortunes: Flask's way: renderTemplate from the app's `templates` folder.
const renderFortunes = (fortunes) => renderTemplate('fortunes.html', { fortunes });
app.get('/fortunes', function fortunes() {
  return renderFortunes(fortunesForRequest());
});

const port = portFromArgs();
const server = await app.listen(port, '127.0.0.1');
console.log(`ready ${server.address().port}`);
