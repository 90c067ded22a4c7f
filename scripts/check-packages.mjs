#!/usr/bin/env node
// `npm run check:packages` (after `npm run build`): checks every publishable workspace package as a user would
// receive it. Per package: the metadata (MIT license and a LICENSE file equal to the root one, a README, the
// repository of the root package.json with the package's folder, `publishConfig.access: public` when scoped,
// `sideEffects` declared); the tarball `npm pack` would make (only the bundle, its maps and the .d.ts files,
// plus what the package lists on purpose, e.g. vendored assets; every `exports`/`bin` target present); then
// publint (strict) and Are the Types Wrong (ESM-only profile: the packages are ESM and need Node ^20.19); and
// no install scripts among the package's dependencies (installing Phial runs nothing of a third party's).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const rootLicense = readFileSync('LICENSE', 'utf8');
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages;
const only = process.argv.slice(2);
const problems = [];
/** Every entry point of every checked package, for the type-check of a consumer at the end. */
const entryPoints = [];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', shell: false });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Files a tarball may hold: the bundle and its maps, type declarations, the package's own docs. */
function allowedFile(f, extra) {
  if (['package.json', 'README.md', 'LICENSE'].includes(f)) return true;
  if (f.startsWith('dist/bundle/') && /\.(js|js\.map)$/.test(f)) return true;
  if (f.startsWith('dist/') && f.endsWith('.d.ts')) return true;
  return extra.some((dir) => f.startsWith(`${dir}/`));
}

/** Every file a package.json points at (exports, main, types, bin). */
function targets(pkg) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(pkg.exports);
  walk(pkg.main);
  walk(pkg.types);
  walk(pkg.bin);
  return [...out];
}

/** Where npm installed `name` as seen from the package at `from` (a key of the lockfile's `packages`). */
function installedAt(from, name) {
  let base = from;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    const entry = lock[key];
    if (entry) return entry.link ? entry.resolved : key;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i === -1 ? '' : base.slice(0, i);
  }
}

/** The dependencies (transitively, not dev, not peer) of the package at `dir` that have an install script. */
function installScripts(dir) {
  const found = [];
  const seen = new Set([dir]);
  const walk = (at) => {
    const entry = lock[at] ?? {};
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const key = installedAt(at, name);
      if (key === null || seen.has(key)) continue;
      seen.add(key);
      if (lock[key]?.hasInstallScript) found.push(key.replace(/^.*node_modules\//, ''));
      walk(key);
    }
  };
  walk(dir);
  return found;
}

const dirs = readdirSync('packages')
  .map((d) => path.join('packages', d))
  .filter((d) => existsSync(path.join(d, 'package.json')));

for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  if (only.length && !only.includes(pkg.name) && !only.includes(dir)) continue;
  const bad = (msg) => problems.push(`${pkg.name}: ${msg}`);
  console.log(`== ${pkg.name} (${dir})`);

  if (pkg.license !== 'MIT') bad(`license is ${pkg.license}, not MIT`);
  const license = path.join(dir, 'LICENSE');
  if (!existsSync(license)) bad('no LICENSE file');
  else if (readFileSync(license, 'utf8') !== rootLicense) bad('LICENSE differs from the root LICENSE');
  if (!existsSync(path.join(dir, 'README.md'))) bad('no README.md');
  if (pkg.repository?.url !== root.repository.url || pkg.repository?.directory !== dir) {
    bad(`repository must be ${JSON.stringify({ ...root.repository, directory: dir })}`);
  }
  if (pkg.name.startsWith('@') && pkg.publishConfig?.access !== 'public')
    bad('scoped: publishConfig.access must be "public"');
  if (pkg.sideEffects === undefined) bad('sideEffects is not declared');
  if (pkg.type !== 'module') bad('type must be "module"');
  for (const dep of installScripts(dir)) bad(`the dependency ${dep} runs an install script`);

  const packed = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', `./${dir}`]);
  if (!packed.ok) {
    bad(`npm pack failed:\n${packed.out}`);
    continue;
  }
  const files = JSON.parse(packed.out.slice(packed.out.indexOf('[')))
    .at(0)
    .files.map((f) => f.path);
  const extra = (pkg.files ?? []).filter((f) => !f.startsWith('dist'));
  for (const f of files) if (!allowedFile(f, extra)) bad(`the tarball holds ${f}`);
  for (const t of targets(pkg))
    if (!files.includes(t)) bad(`${t} (named in package.json) is not in the tarball`);
  console.log(`   tarball: ${files.length} files`);
  for (const f of files.filter((x) => x.endsWith('.d.ts'))) {
    if (readFileSync(path.join(dir, f), 'utf8').includes('@internal'))
      bad(`${f} still declares @internal members`);
  }
  for (const key of Object.keys(pkg.exports ?? { '.': null })) {
    entryPoints.push(key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`);
  }

  const lint = run('npx', ['--no-install', 'publint', 'run', dir, '--strict']);
  if (!lint.ok || !/All good/.test(lint.out)) bad(`publint:\n${lint.out}`);
  else console.log('   publint: all good');

  const attw = run('npx', [
    '--no-install',
    'attw',
    '--pack',
    dir,
    '--profile',
    'esm-only',
    '--format',
    'ascii',
  ]);
  if (!attw.ok) bad(`Are the Types Wrong:\n${attw.out}`);
  else console.log('   attw: no problems');
}

// A consumer importing every entry point, type-checked with skipLibCheck off: the published .d.ts files must
// stand on their own (stripInternal must not have removed something a public type names).
if (entryPoints.length) {
  const dir = 'node_modules/.cache/phial-check-packages';
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'consumer.ts'),
    entryPoints.map((e, i) => `import * as m${i} from '${e}';\nexport { m${i} };\n`).join(''),
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      ...JSON.parse(readFileSync('test-support/consumer-tsconfig.json', 'utf8')),
      files: ['consumer.ts'],
    }),
  );
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  const tsc = run('npx', ['--no-install', 'tsc', '-p', dir]);
  // only the packages' own declarations count (a dependency's types are its own business)
  const own = tsc.out.split('\n').filter((l) => /error TS/.test(l) && /packages\/[^/]+\/dist\//.test(l));
  if (own.length) problems.push(`the published .d.ts files do not type-check:\n${own.join('\n')}`);
  else console.log(`== .d.ts of ${entryPoints.length} entry points type-check on their own`);
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('\nAll packages are ready to publish.');
