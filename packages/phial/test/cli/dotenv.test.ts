import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDotenv } from '../../src/cli/dotenv.js';
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

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('loadDotenv', () => {
  it('loads .env over .phialenv, and an --env-file over both; set variables win', () => {
    const dir = project({
      '.phialenv': 'DOT_A=from-phialenv\nDOT_B=from-phialenv\nDOT_C=from-phialenv\n',
      '.env': 'DOT_B=from-env\nDOT_C="from env"\n# comment\nexport DOT_E=exported\n',
      'custom.env': 'DOT_C=from-custom\n',
    });
    const env: NodeJS.ProcessEnv = { DOT_A: 'preset' };
    const files = loadDotenv('custom.env', { cwd: dir, env });
    expect(files.map((f) => f.slice(dir.length))).toEqual(['/.phialenv', '/.env', '/custom.env']);
    expect(env).toEqual({ DOT_A: 'preset', DOT_B: 'from-env', DOT_C: 'from-custom', DOT_E: 'exported' });
  });

  it('finds the files in a parent folder, and can skip them', () => {
    const dir = project({ '.env': 'DOT_UP=1\n', 'sub/deeper/x.txt': '' });
    const env: NodeJS.ProcessEnv = {};
    loadDotenv(null, { cwd: `${dir}/sub/deeper`, env });
    expect(env.DOT_UP).toBe('1');
    const skipped: NodeJS.ProcessEnv = { PHIAL_SKIP_DOTENV: '1' };
    loadDotenv(null, { cwd: dir, env: skipped });
    expect(skipped.DOT_UP).toBeUndefined();
  });

  it('throws for a missing --env-file', () => {
    const dir = project({});
    expect(() => loadDotenv('nope.env', { cwd: dir, env: {} })).toThrow(/nope\.env' does not exist/);
  });
});

describe('phial reads dotenv files before discovery', () => {
  it('takes PHIAL_APP from .env and the command sees the values', async () => {
    delete process.env.PHIAL_APP;
    delete process.env.GREETING;
    const dir = project({
      '.env': 'PHIAL_APP=site.ts:web\nGREETING=bonjour\n',
      'site.ts': `import { Phial, currentApp } from '$PHIAL';
export const web = new Phial(null, { name: 'web' });
web.cli.command('greet').action(() => { (globalThis as Record<string, unknown>).__dotenvSeen = process.env.GREETING + ' from ' + currentApp.name; });
`,
    });
    const io = memoryIO();
    const code = await runCli(['greet'], { cwd: dir, io });
    expect((globalThis as Record<string, unknown>).__dotenvSeen).toBe('bonjour from web');
    expect(code).toBe(0);
  });

  it('reads --env-file, and fails with 2 when it is missing', async () => {
    const dir = project({
      'app.ts': `import { Phial } from '$PHIAL';
export const app = new Phial(null, { name: 'envfile' });
app.cli.command('show').action(() => { (globalThis as Record<string, unknown>).__envFileSeen = process.env.FROM_FILE; });
`,
      'prod.env': 'FROM_FILE=prod\n',
    });
    delete process.env.FROM_FILE;
    const io = memoryIO();
    expect(await runCli(['--env-file', 'prod.env', 'show'], { cwd: dir, io })).toBe(0);
    expect((globalThis as Record<string, unknown>).__envFileSeen).toBe('prod');
    const bad = memoryIO();
    expect(await runCli(['-e', 'missing.env', 'show'], { cwd: dir, io: bad })).toBe(2);
    expect(bad.text()).toMatch(/missing\.env' does not exist/);
  });
});
