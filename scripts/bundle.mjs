#!/usr/bin/env node
// Bundles the compiled packages (after `tsc -b`) into a few ES modules each, so starting an app loads
// 5 files instead of ~90: module resolution and compilation were half of Phial's start-up time.
// `dist/` keeps tsc's per-file output (types, source maps); the packages' `exports` point at `dist/bundle/`.
// Dependencies (and @phial/jinja, from phial) stay external, so every package is loaded once.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// The first-party extensions (@phial/db, @phial/login, ...): one entry each, bundled the same way (phial and the
// other packages stay external).
const extensions = readdirSync('packages').filter(
  (name) =>
    name !== 'phial' && name !== 'jinja' && existsSync(`packages/${name}/dist/index.js`) && !isPrivate(name),
);

function isPrivate(name) {
  return JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8')).private === true;
}

const bundleDirs = ['packages/jinja/dist/bundle', 'packages/phial/dist/bundle'].concat(
  extensions.map((name) => `packages/${name}/dist/bundle`),
);

// hashed chunk names change between builds: start from an empty folder
for (const dir of bundleDirs) rmSync(dir, { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { index: 'packages/jinja/dist/index.js' },
    outdir: 'packages/jinja/dist/bundle',
  }),
  build({
    ...common,
    // one build with code splitting: the three entries share one copy of every class
    entryPoints: {
      index: 'packages/phial/dist/index.js',
      testing: 'packages/phial/dist/testing/index.js',
      openapi: 'packages/phial/dist/openapi/index.js',
      bin: 'packages/phial/dist/cli/bin.js',
    },
    splitting: true,
    chunkNames: 'chunk-[hash]',
    outdir: 'packages/phial/dist/bundle',
  }),
  ...extensions.map((name) =>
    build({
      ...common,
      entryPoints: { index: `packages/${name}/dist/index.js` },
      outdir: `packages/${name}/dist/bundle`,
    }),
  ),
]);

// No keepNames (it wraps every nested function in a call, per request too), so a class whose name collides
// with another module's would be renamed (`Writer2`) and show the wrong `name` in errors: refuse that.
for (const dir of bundleDirs) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    for (const m of text.matchAll(/\bclass ([A-Za-z_$][\w$]*?)(\d+)\b/g)) {
      if (text.includes(`class ${m[1]} `) || text.includes(`class ${m[1]}{`)) {
        throw new Error(
          `${dir}/${file}: class ${m[1]} was renamed ${m[1]}${m[2]}; give one of them another name`,
        );
      }
    }
  }
}
