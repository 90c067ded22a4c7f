import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isPhialApp,
  locateApp,
  NoAppException,
  parseAppSpec,
  parseLiteralArgs,
  resolveAppFile,
} from '../../src/cli/discovery.js';
import { runCli } from '../../src/cli/program.js';
import { makeProject, memoryIO } from './helpers.js';

const projects: { cleanup(): void }[] = [];
function project(files: Record<string, string>) {
  const p = makeProject(files);
  projects.push(p);
  return p.dir;
}
afterAll(() => {
  for (const p of projects) p.cleanup();
});

describe('parseAppSpec', () => {
  it('splits module, name and factory arguments', () => {
    expect(parseAppSpec('hello')).toEqual({ module: 'hello', name: null, args: null });
    expect(parseAppSpec('src/hello.ts:app')).toEqual({ module: 'src/hello.ts', name: 'app', args: null });
    expect(parseAppSpec("hello:createApp('dev', 2, true, null)")).toEqual({
      module: 'hello',
      name: 'createApp',
      args: ['dev', 2, true, null],
    });
    expect(parseAppSpec('hello:createApp()')).toEqual({ module: 'hello', name: 'createApp', args: [] });
    expect(parseAppSpec('C:/proj/app.ts').module).toBe('C:/proj/app.ts');
  });

  it('parses literal arguments and rejects code', () => {
    expect(parseLiteralArgs(`"a,b", 'it\\'s', [1, 2], {"k": "v"}, -1.5`)).toEqual([
      'a,b',
      "it's",
      [1, 2],
      { k: 'v' },
      -1.5,
    ]);
    expect(() => parseAppSpec('hello:createApp(process.exit(1))')).toThrow(NoAppException);
    expect(() => parseAppSpec('hello:1abc')).toThrow(/Failed to parse/);
  });
});

const APP_TS = `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'ts-app' });
app.get('/', function index() { return 'hi'; });
`;

describe('locateApp', () => {
  it('finds app.ts in the working folder and its `app` export', async () => {
    const dir = project({ 'app.ts': APP_TS });
    const found = await locateApp(null, dir);
    expect(found.app.name).toBe('ts-app');
    expect(found.file).toBe(path.join(dir, 'app.ts'));
    expect(found.importPath).toBe('app');
    expect(isPhialApp(found.app)).toBe(true);
  });

  it('finds app.js with a default export', async () => {
    const dir = project({
      'app.js': `import { Phial } from '$PHIAL';\nexport default new Phial(import.meta.url, { name: 'js-default' });\n`,
    });
    expect((await locateApp(null, dir)).app.name).toBe('js-default');
  });

  it('prefers app.ts over wsgi.ts, and finds wsgi.js and src/app.ts', async () => {
    const both = project({
      'app.ts': APP_TS,
      'wsgi.js': `import { Phial } from '$PHIAL';\nexport const app = new Phial(null, { name: 'wsgi' });\n`,
    });
    expect((await locateApp(null, both)).app.name).toBe('ts-app');
    const wsgi = project({
      'wsgi.js': `import { Phial } from '$PHIAL';\nexport const application = new Phial(null, { name: 'wsgi' });\n`,
    });
    expect((await locateApp(null, wsgi)).app.name).toBe('wsgi');
    const src = project({ 'src/app.ts': APP_TS });
    expect((await locateApp(null, src)).file).toBe(path.join(src, 'src/app.ts'));
  });

  it('calls a createApp() or makeApp() factory', async () => {
    const dir = project({
      'app.ts': `import { Phial } from '$PHIAL';
export function createApp(mode = 'prod') { return new Phial(null, { name: 'factory-' + mode }); }
`,
      'other.ts': `import { Phial } from '$PHIAL';
export async function makeApp() { return new Phial(null, { name: 'made' }); }
`,
    });
    expect((await locateApp(null, dir)).app.name).toBe('factory-prod');
    expect((await locateApp('other', dir)).app.name).toBe('made');
  });

  it('uses --app module:name and module:factory(args)', async () => {
    const dir = project({
      'hello.ts': `import { Phial } from '$PHIAL';
export const one = new Phial(null, { name: 'one' });
export const two = new Phial(null, { name: 'two' });
export function build(mode: string, n: number) { return new Phial(null, { name: mode + n }); }
export const notAnApp = 42;
`,
    });
    expect((await locateApp('hello:two', dir)).app.name).toBe('two');
    expect((await locateApp('hello.ts:one', dir)).app.name).toBe('one');
    expect((await locateApp("hello:build('dev', 3)", dir)).app.name).toBe('dev3');
    await expect(locateApp('hello', dir)).rejects.toThrow(/multiple Phial applications.*one, two/);
    await expect(locateApp('hello:missing', dir)).rejects.toThrow(/Failed to find attribute 'missing'/);
    await expect(locateApp('hello:notAnApp', dir)).rejects.toThrow(/not obtained.*number/);
  });

  it('reports what was tried when nothing is found', async () => {
    const dir = project({ 'readme.md': 'nothing here' });
    await expect(locateApp(null, dir)).rejects.toThrow(NoAppException);
    await expect(locateApp(null, dir)).rejects.toThrow(/app\.ts, app\.js/);
    expect(() => resolveAppFile('nope', dir)).toThrow(/Could not import 'nope'[\s\S]*nope\.ts/);
  });

  it('wraps errors raised while importing the module', async () => {
    const dir = project({ 'app.ts': `throw new Error('boom at import');\n` });
    await expect(locateApp(null, dir)).rejects.toThrow(/While importing .*app\.ts[\s\S]*boom at import/);
  });
});

describe('phial with no app', () => {
  it('exits with 2 and names what was tried', async () => {
    const dir = project({ 'readme.md': '' });
    const io = memoryIO();
    const code = await runCli(['routes'], { cwd: dir, io, loadDotenv: false });
    expect(code).toBe(2);
    expect(io.text()).toMatch(/Error: Could not locate a Phial application/);
    expect(io.text()).toContain(dir);
  });

  it('exits with 2 for a custom command when the app cannot be loaded', async () => {
    const dir = project({ 'readme.md': '' });
    const io = memoryIO();
    expect(await runCli(['init-db'], { cwd: dir, io, loadDotenv: false })).toBe(2);
    expect(io.text()).toMatch(/No such command 'init-db'/);
  });

  it('exits with 2 for a missing --app module', async () => {
    const dir = project({ 'app.ts': APP_TS });
    const io = memoryIO();
    expect(await runCli(['--app', 'missing.ts', 'routes'], { cwd: dir, io, loadDotenv: false })).toBe(2);
    expect(io.text()).toMatch(/Could not import 'missing\.ts'/);
  });
});
