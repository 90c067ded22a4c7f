import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanGlobalArgs } from '../../src/cli/program.js';
import { firstChange, globToRegExp, scanFiles } from '../../src/cli/reloader.js';
import { makeProject } from './helpers.js';

const proj = makeProject({
  'app.ts': 'export {};\n',
  'lib/util.js': 'export {};\n',
  'lib/generated/out.ts': 'export {};\n',
  'templates/index.html': '<p>x</p>',
  'node_modules/dep/index.js': '',
  '.git/config.js': '',
  '.env': 'A=1\n',
  'notes.txt': 'x',
});
afterAll(proj.cleanup);

describe('reloader file scan', () => {
  it('watches code and env files, skipping node_modules and dot-folders', () => {
    const files = [...scanFiles({ root: proj.dir }).keys()].map((f) => path.relative(proj.dir, f)).sort();
    expect(files).toEqual(['.env', 'app.ts', 'lib/generated/out.ts', 'lib/util.js', 'package.json']);
  });

  it('applies --exclude-patterns and --extra-files', () => {
    const extra = path.join(proj.dir, 'notes.txt');
    const files = scanFiles({
      root: proj.dir,
      excludePatterns: ['*/generated/*', '*.json'],
      extraFiles: [extra, path.join(proj.dir, 'missing.cfg')],
    });
    const rel = [...files.keys()].map((f) => path.relative(proj.dir, f)).sort();
    expect(rel).toEqual(['.env', 'app.ts', 'lib/util.js', 'missing.cfg', 'notes.txt']);
  });

  it('reports the first changed, added or removed file', async () => {
    const before = scanFiles({ root: proj.dir });
    expect(firstChange(before, scanFiles({ root: proj.dir }))).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const file = path.join(proj.dir, 'lib/util.js');
    writeFileSync(file, 'export const x = 1;\n');
    expect(firstChange(before, scanFiles({ root: proj.dir }))).toBe(file);
    const added = new Map(before);
    added.set('/new.ts', 1);
    expect(firstChange(before, added)).toBe('/new.ts');
    expect(firstChange(added, before)).toBe('/new.ts');
  });

  it('translates fnmatch patterns', () => {
    expect(globToRegExp('*.py').test('/a/b/c.py')).toBe(true);
    expect(globToRegExp('/a/?.ts').test('/a/b.ts')).toBe(true);
    expect(globToRegExp('/a/?.ts').test('/a/bc.ts')).toBe(false);
    expect(globToRegExp('[!x]y').test('ay')).toBe(true);
    expect(globToRegExp('[!x]y').test('xy')).toBe(false);
    expect(globToRegExp('a.b(c)').test('a.b(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('scanGlobalArgs', () => {
  it('reads the global options up to the command word', () => {
    expect(
      scanGlobalArgs(['--app', 'hello:create()', '--debug', '-e', '.env.prod', 'run', '--app', 'x']),
    ).toEqual({
      app: 'hello:create()',
      debug: true,
      envFile: '.env.prod',
      command: 'run',
      helpOrVersion: false,
    });
    expect(scanGlobalArgs(['--app=web.ts', '--no-debug', 'routes'])).toEqual({
      app: 'web.ts',
      debug: false,
      envFile: null,
      command: 'routes',
      helpOrVersion: false,
    });
    expect(scanGlobalArgs(['--help']).command).toBeNull();
    expect(scanGlobalArgs(['--help']).helpOrVersion).toBe(true);
    expect(scanGlobalArgs(['--version']).helpOrVersion).toBe(true);
    // a command's own --help is the command's
    expect(scanGlobalArgs(['hello', '--help']).helpOrVersion).toBe(false);
  });

  it("reads run's own --debug/--no-debug (phial run --debug)", () => {
    expect(scanGlobalArgs(['run', '--debug']).debug).toBe(true);
    expect(scanGlobalArgs(['--debug', 'run', '--port', '0', '--no-debug']).debug).toBe(false);
    expect(scanGlobalArgs(['routes', '--debug']).debug).toBeUndefined();
    expect(scanGlobalArgs(['run', '--', '--debug']).debug).toBeUndefined();
  });
});
