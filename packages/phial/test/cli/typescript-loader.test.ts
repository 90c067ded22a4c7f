/**
 * tsx is an optional peer dependency: the built `phial` command loads a TypeScript app with tsx when it is
 * installed, else with Node's own type stripping (Node 22.18+ / 23.6+; CI runs this suite on Node 24 too),
 * else it says what to install. Runs the bundle (`npm run build` first) in a temp project whose node_modules
 * link to the workspace packages, as an installed app would see them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStripsTypes } from '../../src/cli/discovery.js';

const packages = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(packages, 'phial/dist/bundle/bin.js');
const built = existsSync(bin);

/** Makes `tsx` unresolvable, as in an install without it (Node's own error code). */
const NO_TSX_HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'tsx' || specifier.startsWith('tsx/')) {
    const e = new Error("Cannot find package 'tsx'");
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;
const NO_TSX = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TSX_HOOKS)}`)});`,
)}`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phial-tsloader-'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(
    path.join(dir, 'app.ts'),
    [
      "import { Phial, type Request } from 'phial';",
      'export const app = new Phial(import.meta.url);',
      "app.get('/user/<int:id>', (req: Request<{ id: number }>) => ({ id: req.params.id }));",
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(dir, 'node_modules/@phial'), { recursive: true });
  symlinkSync(path.join(packages, 'phial'), path.join(dir, 'node_modules/phial'), 'dir');
  symlinkSync(path.join(packages, 'jinja'), path.join(dir, 'node_modules/@phial/jinja'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function routes(execArgv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...execArgv, bin, '--app', 'app.ts', 'routes'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, VITEST: undefined, NODE_OPTIONS: undefined },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)('loading a TypeScript app with the built phial command', () => {
  it('uses tsx when it is installed', () => {
    const r = routes([]);
    expect(r.err).toBe('');
    expect(r.out).toContain('/user/<int:id>');
    expect(r.status).toBe(0);
  });

  it.skipIf(!nodeStripsTypes())("without tsx, uses Node's own type stripping", () => {
    const r = routes(['--import', NO_TSX]);
    expect(r.err).not.toMatch(/Error/);
    expect(r.out).toContain('/user/<int:id>');
    expect(r.status).toBe(0);
    // and on request, even when tsx is there
    expect(routes([], { PHIAL_TS_LOADER: 'node' }).out).toContain('/user/<int:id>');
  });

  it.skipIf(nodeStripsTypes())('without tsx on a Node that cannot strip types, says what to install', () => {
    const r = routes(['--import', NO_TSX]);
    expect(r.status).not.toBe(0);
    expect(r.err).toContain('needs tsx');
    expect(r.err).toContain('npm install tsx');
  });
});
