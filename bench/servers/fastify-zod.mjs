// Fastify 5 with zod through fastify-type-provider-zod (its validator and serializer compilers): the
// `POST /items` endpoint only (and /plaintext, the runner's readiness probe), with the same zod schema as Phial's.

import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { portFromArgs, TEXT_TYPE } from './data.mjs';
import { ItemZod } from './items.mjs';

const app = Fastify({ logger: false });
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);

// the runner's readiness probe
app.get('/plaintext', (_req, reply) => {
  reply.type(TEXT_TYPE).send('Hello, World!');
});

app.post('/items', { schema: { body: ItemZod, response: { 201: ItemZod } } }, (req, reply) => {
  reply.code(201).send(req.body);
});

const port = portFromArgs();
await app.listen({ port, host: '127.0.0.1' });
console.log(`ready ${app.server.address().port}`);
