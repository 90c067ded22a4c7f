/** A small API used by the OpenAPI tests: every kind of rule, schema location and library. */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import { Blueprint, makeResponse, Phial } from '../../src/index.js';
import { OpenAPI } from '../../src/openapi/index.js';

export const Pet = z
  .object({ id: z.number().int(), name: z.string(), tags: z.array(z.string()) })
  .meta({ id: 'Pet', description: 'A pet of the shop.' });
export const NewPet = z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) });
export const ErrorBody = z.object({ error: z.string() });

export function makeApi(): { app: Phial; api: OpenAPI } {
  const app = new Phial('openapi-fixture');
  const pets: z.infer<typeof Pet>[] = [{ id: 1, name: 'Rex', tags: ['dog'] }];
  const bp = new Blueprint('pets', import.meta.url, { urlPrefix: '/pets', tags: ['pets'] });

  bp.get(
    '/',
    {
      query: z.object({
        limit: z.number().int().min(1).max(100).default(10),
        tag: z.array(z.string()).optional(),
      }),
      response: z.array(Pet),
      summary: 'List pets',
    },
    function listPets(req) {
      const tags = req.query.tag;
      return pets.filter((p) => !tags || p.tags.some((t) => tags.includes(t))).slice(0, req.query.limit);
    },
  );
  bp.post('/', { body: NewPet, response: { 201: Pet } }, function createPet(req) {
    const pet = { id: pets.length + 1, ...req.body };
    pets.push(pet);
    return makeResponse(pet, 201);
  });
  bp.get('/<int(min=1):id>', { response: { 200: Pet, 404: ErrorBody } }, function getPet(req) {
    const pet = pets.find((p) => p.id === req.params.id);
    return pet ? { ...pet } : makeResponse({ error: 'no such pet' }, 404);
  });
  bp.delete('/<int(min=1):id>', { security: [{ bearer: [] }], deprecated: true }, function deletePet(req) {
    const i = pets.findIndex((p) => p.id === req.params.id);
    if (i !== -1) pets.splice(i, 1);
    return makeResponse('', 204);
  });
  app.registerBlueprint(bp);

  app.get('/files/<path:name>', function getFile(req) {
    return { name: req.params.name };
  });
  app.get('/kinds/<any(cat, dog):kind>/<uuid:ref>', function kind(req) {
    return { kind: req.params.kind, ref: req.params.ref };
  });
  app.get('/scale/<float(max=10.0):x>/<string(length=2):code>', function scale(req) {
    return { x: req.params.x, code: req.params.code };
  });
  app.post(
    '/echo/<word>',
    {
      body: toStandardJsonSchema(v.object({ text: v.string(), n: v.optional(v.number()) })),
      headers: type({ 'x-trace': 'string' }),
      cookies: z.object({ session: z.string().optional() }),
      description: 'Echoes the body.',
      operationId: 'echo',
      openapi: { 'x-internal': false },
    },
    function echo(req) {
      return { word: req.params.word, text: req.body.text, trace: req.headersData['x-trace'] };
    },
  );
  app.route('/multi', { methods: ['GET', 'POST'] }, function multi() {
    return { ok: true };
  });
  app.get('/hidden', { includeInSchema: false }, () => ({}));

  const api = new OpenAPI(app, {
    title: 'Pet shop',
    version: '1.2.3',
    description: 'A test API.',
    servers: [{ url: '/' }],
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    tags: [{ name: 'pets', description: 'Everything about pets' }],
    schemas: { Error: ErrorBody },
  });
  return { app, api };
}
