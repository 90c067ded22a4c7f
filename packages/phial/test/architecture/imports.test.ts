/**
 * Layers only look down (ARCHITECTURE.md): parses every import of the sources with TypeScript's parser and fails
 * when one goes the wrong way. Type-only imports (`import type`, `export type`) vanish from the output and are
 * told apart; `import { type A }` stays an import at run time (verbatimModuleSyntax) and counts as one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));
const phialSrc = path.join(packagesDir, 'phial/src');
const jinjaSrc = path.join(packagesDir, 'jinja/src');

interface Edge {
  from: string;
  /** Resolved file path for a relative specifier, else the bare specifier. */
  to: string;
  kind: 'static' | 'type' | 'dynamic';
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function resolveSpecifier(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.resolve(path.dirname(from), spec).replace(/\.js$/, '.ts');
}

/** Every import of `file`: static, type-only, dynamic. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): Edge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (spec: string, kind: Edge['kind']) =>
    edges.push({ from: file, to: resolveSpecifier(file, spec), kind });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ? 'type' : 'static');
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'static');
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, 'dynamic');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) add(lit.text, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

function layerOf(file: string): string {
  const rel = path.relative(phialSrc, file);
  if (rel.startsWith('..')) return path.relative(packagesDir, file);
  const first = rel.split(path.sep)[0] as string;
  return first.endsWith('.ts') ? '.' : first;
}

const rel = (f: string) => path.relative(packagesDir, f);
const describeEdge = (e: Edge) => `${rel(e.from)} → ${e.to.startsWith('/') ? rel(e.to) : e.to} (${e.kind})`;

/** Runtime cycles (static imports only) in a set of files, each as its list of files. */
function cyclesIn(edges: Edge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind !== 'static' || !e.to.startsWith('/')) continue;
    const list = graph.get(e.from) ?? [];
    list.push(e.to);
    graph.set(e.from, list);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const walk = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (s === undefined) walk(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) walk(n);
  return cycles;
}

const phialEdges = sourceFiles(phialSrc).flatMap((f) => importsOf(f));
const jinjaEdges = sourceFiles(jinjaSrc).flatMap((f) => importsOf(f));
/** The first-party extensions (@phial/db, @phial/login, ...): every other package with sources. */
const extensionDirs = readdirSync(packagesDir).filter(
  (name) => name !== 'phial' && name !== 'jinja' && existsSync(path.join(packagesDir, name, 'src')),
);
const phialExports = Object.keys(
  (JSON.parse(readFileSync(path.join(packagesDir, 'phial/package.json'), 'utf8')) as { exports: object })
    .exports,
).map((k) => (k === '.' ? 'phial' : `phial/${k.slice(2)}`));

describe('the import graph parser', () => {
  it('tells static, type-only and dynamic imports apart', () => {
    const file = path.join(phialSrc, 'app/example.ts');
    const edges = importsOf(
      file,
      [
        "import type { A } from '../server/a.js';",
        "import { type B } from '../server/b.js';",
        "import { C } from '../testing/c.js';",
        "export type { D } from '../cli/d.js';",
        "export { E } from './e.js';",
        "const f = () => import('../server/f.js');",
        "let g: typeof import('../server/g.js');",
      ].join('\n'),
    );
    expect(edges.map((e) => [rel(e.to), e.kind])).toEqual([
      ['phial/src/server/a.ts', 'type'],
      ['phial/src/server/b.ts', 'static'],
      ['phial/src/testing/c.ts', 'static'],
      ['phial/src/cli/d.ts', 'type'],
      ['phial/src/app/e.ts', 'static'],
      ['phial/src/server/f.ts', 'dynamic'],
      ['phial/src/server/g.ts', 'type'],
    ]);
  });

  it('finds a cycle, and none in a tree', () => {
    const e = (from: string, to: string): Edge => ({ from: `/x/${from}`, to: `/x/${to}`, kind: 'static' });
    expect(cyclesIn([e('a', 'b'), e('b', 'c'), e('c', 'a')])).toEqual([['/x/a', '/x/b', '/x/c', '/x/a']]);
    expect(cyclesIn([e('a', 'b'), e('a', 'c'), e('b', 'c')])).toEqual([]);
  });

  it('sees the sources (a broken walk would make every rule pass)', () => {
    expect(phialEdges.length).toBeGreaterThan(200);
    expect(jinjaEdges.length).toBeGreaterThan(40);
    expect(phialEdges.some((e) => layerOf(e.from) === 'http')).toBe(true);
    expect(phialEdges.some((e) => layerOf(e.from) === 'app' && e.kind === 'dynamic')).toBe(true);
  });
});

describe('layers only look down', () => {
  it('the toolkit (src/http) imports nothing of app/, server/, testing/, cli/ or dev/, not even types', () => {
    const bad = phialEdges.filter(
      (e) => layerOf(e.from) === 'http' && e.to.startsWith(phialSrc) && layerOf(e.to) !== 'http',
    );
    expect(bad.map(describeEdge)).toEqual([]);
  });

  it('the app layer (src/app) loads server/, testing/, cli/ and dev/ only on use (dynamic import)', () => {
    const bad = phialEdges.filter(
      (e) =>
        layerOf(e.from) === 'app' &&
        e.kind === 'static' &&
        ['server', 'testing', 'cli', 'dev'].includes(layerOf(e.to)),
    );
    expect(bad.map(describeEdge)).toEqual([]);
  });

  it('nor through another module: importing any app/ module never loads server/, testing/, cli/ or dev/', () => {
    const next = new Map<string, string[]>();
    for (const e of phialEdges) {
      if (e.kind !== 'static' || !e.to.startsWith(phialSrc)) continue;
      next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    }
    const via = new Map<string, string | null>();
    const queue = phialEdges.map((e) => e.from).filter((f) => layerOf(f) === 'app');
    for (const f of queue) via.set(f, null);
    while (queue.length) {
      const f = queue.shift() as string;
      for (const to of next.get(f) ?? []) {
        if (via.has(to)) continue;
        via.set(to, f);
        queue.push(to);
      }
    }
    const chains: string[] = [];
    for (const f of via.keys()) {
      if (!['server', 'testing', 'cli', 'dev'].includes(layerOf(f))) continue;
      const chain = [rel(f)];
      for (let p = via.get(f); p; p = via.get(p)) chain.unshift(rel(p));
      chains.push(chain.join(' → '));
    }
    expect(chains).toEqual([]);
  });

  it('@phial/jinja imports nothing of Phial and nothing outside its own sources', () => {
    const bad = jinjaEdges.filter((e) =>
      e.to.startsWith('/')
        ? !e.to.startsWith(jinjaSrc)
        : e.to === 'phial' || e.to.startsWith('phial/') || e.to.startsWith('@phial/'),
    );
    expect(bad.map(describeEdge)).toEqual([]);
  });

  it('the extensions reach Phial only through its published entry points, and no other package by path', () => {
    expect(extensionDirs.length).toBeGreaterThan(0);
    const bad: string[] = [];
    for (const name of extensionDirs) {
      const src = path.join(packagesDir, name, 'src');
      for (const e of sourceFiles(src).flatMap((f) => importsOf(f))) {
        const outside = e.to.startsWith('/') && !e.to.startsWith(src);
        const deep = (e.to === 'phial' || e.to.startsWith('phial/')) && !phialExports.includes(e.to);
        if (outside || deep) bad.push(describeEdge(e));
      }
    }
    expect(bad).toEqual([]);
  });

  it('@phial/jinja has no import cycles', () => {
    expect(cyclesIn(jinjaEdges).map((c) => c.map(rel).join(' → '))).toEqual([]);
  });
});
