#!/usr/bin/env node
// Template render benchmark: @phial/jinja and nunjucks against a hand-written template-literal function.
//
//   node bench/render.mjs [--quick] [--rounds N] [--round-ms MS] [--warmup-ms MS] [--out FILE] [--no-write]
//                         [--page orders|large]
//
// The same page (bench/templates/page.html extending layout.html: blocks, super(), a macro per row over 100
// rows, filters, autoescape) is rendered by each engine; all outputs must equal bench/templates/expected.html
// (rendered by Python's Jinja2 3.1.6) before anything is timed. @phial/jinja is imported from
// packages/jinja/dist (build it with `npx tsc -p packages/jinja/tsconfig.json`); while it cannot render the
// page its row says "not ready" and why.
//
// A second, large real-world-style page (bench/templates/large/: four levels of inheritance, imported macro
// libraries, ~200 macro calls with keyword arguments, `**kwargs` through `xmlattr`, `caller()` blocks,
// groupby/map/sum, loop.cycle) is timed the same way against its own hand-written floor.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { fmtInt, machineInfo, markdownTable, median, writeSection } from './lib/report.mjs';
import { makeContext } from './templates/data.mjs';
import { renderPage, renderPageReplaceEscape } from './templates/handwritten.mjs';
import { makeLargeContext } from './templates/large/data.mjs';
import { renderLargePage } from './templates/large/handwritten.mjs';

const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));
const JINJA_DIST = new URL('../packages/jinja/dist/index.js', import.meta.url);
const LARGE_DIR = `${TEMPLATES_DIR}large/`;
const EXPECTED = readFileSync(`${TEMPLATES_DIR}expected.html`, 'utf8');
const EXPECTED_LARGE = readFileSync(`${LARGE_DIR}expected.html`, 'utf8');
const GOAL = 0.75;

function parseArgs(argv) {
  const o = {
    rounds: 7,
    roundMs: 500,
    warmupMs: 1000,
    out: fileURLToPath(new URL('./RESULTS.md', import.meta.url)),
    write: true,
    pages: ['orders', 'large'],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') Object.assign(o, { rounds: 3, roundMs: 200, warmupMs: 200 });
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--round-ms') o.roundMs = Number(next());
    else if (a === '--warmup-ms') o.warmupMs = Number(next());
    else if (a === '--out') o.out = next();
    else if (a === '--no-write') o.write = false;
    else if (a === '--page') o.pages = [next()];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** The first difference between two outputs, for a readable "not ready" reason. */
function firstDiff(got, want) {
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  if (i === got.length && i === want.length) return null;
  const at = (s) => JSON.stringify(s.slice(Math.max(0, i - 30), i + 30));
  return `output differs at char ${i}: got ${at(got)}, expected ${at(want)}`;
}

/** The large page's engines: its hand-written floor, @phial/jinja and nunjucks (which lacks `**kwargs`). */
const LARGE_ENGINES = [
  {
    name: 'hand-written template literals (floor)',
    key: 'handwritten',
    required: true,
    setup: async () => renderLargePage,
  },
  {
    name: '@phial/jinja',
    key: 'phial',
    required: false,
    setup: async () => {
      const jinja = await import(JINJA_DIST.href);
      const env = new jinja.Environment({ loader: new jinja.FileSystemLoader(LARGE_DIR), autoescape: true });
      const template = env.getTemplate('page.html');
      return (ctx) => template.render(ctx);
    },
  },
  {
    name: 'nunjucks 3 (cached Environment)',
    key: 'nunjucks',
    required: false,
    setup: async () => {
      const nunjucks = createRequire(import.meta.url)('nunjucks');
      const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(LARGE_DIR), { autoescape: true });
      const template = env.getTemplate('page.html', true);
      return (ctx) => template.render(ctx);
    },
  },
];

/** Each engine: a name and a setup that returns a render function, or throws while it cannot render. */
const ENGINES = [
  {
    name: 'hand-written template literals (floor)',
    key: 'handwritten',
    required: true,
    setup: async () => renderPage,
  },
  {
    name: 'hand-written, String.replace escape',
    key: 'handwrittenReplace',
    required: true,
    setup: async () => renderPageReplaceEscape,
  },
  {
    name: '@phial/jinja',
    key: 'phial',
    required: false,
    setup: async () => {
      const jinja = await import(JINJA_DIST.href);
      if (typeof jinja.Environment !== 'function')
        throw new Error('packages/jinja/dist exports no Environment yet');
      const env = new jinja.Environment({
        loader: new jinja.FileSystemLoader(TEMPLATES_DIR),
        autoescape: true,
      });
      const template = env.getTemplate('page.html');
      return (ctx) => template.render(ctx);
    },
  },
  {
    name: 'nunjucks 3 (cached Environment)',
    key: 'nunjucks',
    required: true,
    setup: async () => {
      const nunjucks = createRequire(import.meta.url)('nunjucks');
      const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), {
        autoescape: true,
      });
      const template = env.getTemplate('page.html', true);
      return (ctx) => template.render(ctx);
    },
  },
];

let sink = 0;
/** Render repeatedly for about `ms` milliseconds; returns renders per second. */
function timeRenders(render, ctx, ms) {
  globalThis.gc?.();
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 10; i++) sink += render(ctx).length;
    n += 10;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return n / (elapsed / 1000);
}

/** Times one page's engines (outputs checked first); returns its markdown table. */
async function runPage(opts, engines, ctx, expected, goal = GOAL) {
  const ENGINES = engines;
  const EXPECTED = expected;
  const ready = [];
  const rows = new Map();
  for (const e of ENGINES) {
    const row = { engine: e, rps: null, note: '' };
    rows.set(e.key, row);
    try {
      const render = await e.setup();
      const diff = firstDiff(render(ctx), EXPECTED);
      if (diff !== null) throw new Error(diff);
      ready.push({ e, render, samples: [] });
    } catch (err) {
      const msg = (err instanceof Error ? `${err.name}: ${err.message}` : String(err))
        .split('\n')[0]
        .slice(0, 300);
      if (e.required) throw new Error(`${e.name} cannot render the benchmark page (a bench bug): ${msg}`);
      row.note = `not ready: ${msg}`;
      console.log(`${e.name}: ${row.note}`);
    }
  }

  for (const r of ready) timeRenders(r.render, ctx, opts.warmupMs);
  for (let round = 0; round < opts.rounds; round++) {
    for (const r of ready) r.samples.push(timeRenders(r.render, ctx, opts.roundMs));
  }
  for (const r of ready) rows.get(r.e.key).rps = median(r.samples);

  const floor = rows.get('handwritten').rps;
  const table = markdownTable(
    ['engine', 'renders/s', '× hand-written', 'µs/render', 'notes'],
    ENGINES.map((e) => {
      const row = rows.get(e.key);
      const note =
        row.note ||
        (e.key === 'phial' && goal !== null
          ? `goal ≥ ${goal}×: ${row.rps / floor >= goal ? 'met' : 'not met'}`
          : '');
      return [
        e.name,
        row.rps ? fmtInt(row.rps) : 'not ready',
        row.rps ? `${(row.rps / floor).toFixed(2)}×` : '—',
        row.rps ? (1e6 / row.rps).toFixed(1) : '—',
        note,
      ];
    }),
    [false, true, true, true, false],
  );
  console.log(`\n${table}\n`);
  return table;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tables = {};
  if (opts.pages.includes('orders')) tables.orders = await runPage(opts, ENGINES, makeContext(), EXPECTED);
  if (opts.pages.includes('large')) {
    console.log('large page:');
    // no goal: it measures how far general macro calls are from inlined code (informational)
    tables.large = await runPage(opts, LARGE_ENGINES, makeLargeContext(), EXPECTED_LARGE, null);
  }
  const table = tables.orders ?? '(not run)';
  const info = machineInfo();
  const section = [
    '## Template rendering',
    '',
    `- Date: ${info.date}`,
    `- Node: ${info.node}; machine: ${info.nproc} CPUs (${info.cpu}); load average: ${info.load}`,
    `- Page: bench/templates/page.html extends layout.html (blocks title/head/content/footer, \`super()\`), ` +
      `a macro called for each of 100 rows, filters upper/truncate/default/round/length, an inline if with ` +
      `\`is even\`, autoescape on, data with \`& < > '\`; output ${EXPECTED.length} characters. All outputs equal ` +
      'bench/templates/expected.html (Python Jinja2 3.1.6) before timing.',
    `- Method: one process (\`node bench/render.mjs\`, pinned to CPU 0 when run by run.mjs), ${opts.warmupMs} ms ` +
      `warm-up per engine, then ${opts.rounds} rounds of ${opts.roundMs} ms interleaved between engines; renders/s ` +
      'is the median. Templates are loaded once (nunjucks: cached Environment; @phial/jinja: `env.getTemplate`).',
    '- The floor escapes with a char-code loop (as the `escape-html` package does); the second row is the same ' +
      'hand-written page with the common `s.replace(/[&<>"\']/g, fn)` escape, to show how much the floor itself ' +
      'depends on escaping.',
    '',
    table,
    '',
    `- Large page: bench/templates/large/page.html (four levels of inheritance, imported macro libraries, ` +
      `macro calls with keyword arguments, \`**kwargs\` through \`xmlattr\`, \`caller()\` blocks, groupby/map/sum); ` +
      `output ${EXPECTED_LARGE.length} characters, equal to bench/templates/large/expected.html (Jinja2 3.1.6); ` +
      'its floor is bench/templates/large/handwritten.mjs.',
    '',
    tables.large ?? '(not run)',
  ].join('\n');
  if (opts.write) {
    writeSection(opts.out, 'templates', section);
    console.log(`wrote ${opts.out}`);
  }
  if (sink === 0) console.log('');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
