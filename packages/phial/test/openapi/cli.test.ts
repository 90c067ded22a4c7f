import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { makeProject, memoryIO } from '../cli/helpers.js';

const OPENAPI_SRC = path.resolve(import.meta.dirname, '../../src/openapi/index.ts');
const projects: { cleanup(): void }[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

describe('phial openapi', () => {
  it("prints the app's document, with the OpenAPI extension's options", async () => {
    const p = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
import { OpenAPI } from '${OPENAPI_SRC}';
export const app = new Phial(import.meta.url);
app.get('/users/<int(min=1):id>', function getUser(req) { return { id: req.params.id }; });
new OpenAPI(app, { title: 'Users', version: '2.0.0' });
`,
    });
    projects.push(p);
    const io = memoryIO();
    expect(await runCli(['openapi'], { cwd: p.dir, io, loadDotenv: false })).toBe(0);
    const doc = JSON.parse(io.text());
    expect(doc.info).toEqual({ title: 'Users', version: '2.0.0' });
    expect(doc.paths['/users/{id}'].get.parameters[0].schema).toEqual({ type: 'integer', minimum: 1 });
    expect(io.text()).toContain('\n  "openapi"');
  });

  it('works for an app without the extension (defaults), on one line with --indent 0', async () => {
    const p = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
export const app = new Phial('plain');
app.get('/', function index() { return {}; });
`,
    });
    projects.push(p);
    const io = memoryIO();
    expect(await runCli(['openapi', '--indent', '0'], { cwd: p.dir, io, loadDotenv: false })).toBe(0);
    expect(io.text().trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(io.text());
    expect(doc.info).toEqual({ title: 'plain', version: '0.1.0' });
    expect(Object.keys(doc.paths)).toEqual(['/']);
  });
});
