/**
 * The document feeds a real client generator: openapi-typescript writes the types, TypeScript checks a small
 * program using them with openapi-fetch (including calls that must NOT type-check), and the same program then
 * calls the running app over a real socket.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApi } from './fixture.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

const USAGE = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export async function run(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  const created = await client.POST('/pets/', { body: { name: 'Tom', tags: ['cat'] } });
  const pet: { id: number; name: string; tags: string[] } | undefined = created.data;
  const one = await client.GET('/pets/{id}', { params: { path: { id: pet?.id ?? 0 } } });
  const list = await client.GET('/pets/', { params: { query: { limit: 10, tag: ['cat'] } } });
  const names: string[] = (list.data ?? []).map((p) => p.name);
  const bad = await client.POST('/pets/', { body: { name: '' } });
  const detail = bad.error && 'detail' in bad.error ? bad.error.detail : [];
  const missing = await client.GET('/pets/{id}', { params: { path: { id: 999 } } });
  const echo = await client.POST('/echo/{word}', {
    params: { path: { word: 'hi' }, header: { 'x-trace': 't-1' } },
    body: { text: 'hello' },
  });
  return {
    created: { status: created.response.status, data: created.data },
    one: one.data,
    names,
    bad: { status: bad.response.status, loc: detail[0]?.loc },
    missing: { status: missing.response.status, error: missing.error },
    echo: echo.data,
  };
}

export async function typeErrors(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  // @ts-expect-error: name must be a string
  await client.POST('/pets/', { body: { name: 42 } });
  // @ts-expect-error: no such path
  await client.GET('/nope');
  // @ts-expect-error: the path parameter is a number
  await client.GET('/pets/{id}', { params: { path: { id: 'x' } } });
}
`;

let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  const { app } = makeApi();
  server = await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // inside node_modules/.cache so both TypeScript and Node resolve openapi-fetch from the workspace
  const cache = path.join(repo, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(path.join(cache, 'phial-openapi-client-'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('a client generated from the document', () => {
  it('type-checks and calls the running app', async () => {
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    const types = astToString(await openapiTS(doc as Parameters<typeof openapiTS>[0]));
    expect(types).toContain('"/pets/{id}"');
    writeFileSync(path.join(dir, 'schema.ts'), types);
    writeFileSync(path.join(dir, 'usage.ts'), USAGE);

    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    };
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    const program = ts.createProgram([path.join(dir, 'usage.ts')], options);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // run it: strip the types and import the program
    const js = ts.transpileModule(USAGE, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(path.join(dir, 'usage.mjs'), js);
    const mod = (await import(pathToFileURL(path.join(dir, 'usage.mjs')).href)) as {
      run(base: string): Promise<Record<string, unknown>>;
    };
    const out = await mod.run(base);
    expect(out.created).toEqual({ status: 201, data: { id: 2, name: 'Tom', tags: ['cat'] } });
    expect(out.one).toEqual({ id: 2, name: 'Tom', tags: ['cat'] });
    expect(out.names).toEqual(['Tom']);
    expect(out.bad).toEqual({ status: 422, loc: ['body', 'name'] });
    expect(out.missing).toEqual({ status: 404, error: { error: 'no such pet' } });
    expect(out.echo).toEqual({ word: 'hi', text: 'hello', trace: 't-1' });
  }, 90_000);
});
