// The runner's parsing of wrk output and the template benchmark's three renderers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wrapCommand } from '../lib/proc.mjs';
import { markdownTable, median } from '../lib/report.mjs';
import { parseWrk } from '../lib/wrk.mjs';
import { makeContext } from '../templates/data.mjs';
import { escapeLoop, escapeReplace, renderPage, renderPageReplaceEscape } from '../templates/handwritten.mjs';

const WRK_OUTPUT = `Running 3s test @ http://127.0.0.1:40123/plaintext
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  312.40us   9.87ms   91.02%
    Req/Sec    42.31k     1.20k   44.10k    80.00%
  Latency Distribution
     50%    1.47ms
     75%    1.60ms
     90%    1.78ms
     99%  850.00us
  126302 requests in 3.00s, 18.07MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  42081.39
Transfer/sec:      6.02MB
`;

describe('parseWrk', () => {
  it('reads req/s, p99 in ms, request count and errors', () => {
    expect(parseWrk(WRK_OUTPUT)).toEqual({
      rps: 42081.39,
      p99Ms: 0.85,
      requests: 126302,
      non2xx: 12,
      socketErrors: 3,
    });
  });

  it('converts second latencies and defaults missing error lines to 0', () => {
    const out = WRK_OUTPUT.replace('99%  850.00us', '99%    1.20s').replace(
      / {2}Non-2xx.*\n {2}Socket.*\n/,
      '',
    );
    expect(parseWrk(out)).toMatchObject({ p99Ms: 1200, non2xx: 0, socketErrors: 0 });
  });

  it('throws when wrk printed no result', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/Requests\/sec/);
  });
});

describe('median', () => {
  it('takes the middle of odd and the mean of the two middles of even samples, ignoring nulls', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, null, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('wrapCommand', () => {
  it("prefixes nice, then taskset, so each execs the next and the PID stays the server's", () => {
    expect(wrapCommand(['node', 'x.mjs'], { cpu: 0, nice: -5 })).toEqual([
      'nice',
      '-n',
      '-5',
      'taskset',
      '-c',
      '0',
      'node',
      'x.mjs',
    ]);
    expect(wrapCommand(['wrk', '-t1'], { cpu: 1 })).toEqual(['taskset', '-c', '1', 'wrk', '-t1']);
    expect(wrapCommand(['wrk'])).toEqual(['wrk']);
  });
});

describe('markdownTable', () => {
  it('pads cells and right-aligns the flagged columns', () => {
    expect(markdownTable(['a', 'req/s'], [['phial', '1,234']], [false, true])).toBe(
      ['| a     | req/s |', '| ----- | ----: |', '| phial | 1,234 |'].join('\n'),
    );
  });
});

describe('template benchmark page', () => {
  const expected = readFileSync(
    fileURLToPath(new URL('../templates/expected.html', import.meta.url)),
    'utf8',
  );

  it('the hand-written functions render exactly what Jinja2 renders', () => {
    expect(renderPage(makeContext())).toBe(expected);
    expect(renderPageReplaceEscape(makeContext())).toBe(expected);
  });

  it('both hand-written escapes match markupsafe', () => {
    for (const escapeFn of [escapeLoop, escapeReplace]) {
      expect(escapeFn(`<a href="x">Tom & Jerry's</a>`)).toBe(
        '&lt;a href=&#34;x&#34;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
      );
      expect(escapeFn('plain')).toBe('plain');
      expect(escapeFn('&')).toBe('&amp;');
      expect(escapeFn(42)).toBe('42');
    }
  });

  it('nunjucks renders the same Jinja templates to the same bytes', () => {
    const nunjucks = createRequire(import.meta.url)('nunjucks');
    const dir = fileURLToPath(new URL('../templates/', import.meta.url));
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape: true });
    expect(env.render('page.html', makeContext())).toBe(expected);
  });

  it('escapes the data that needs it', () => {
    expect(expected).toContain('Salt &amp; Pepper Mill');
    expect(expected).toContain('O&#39;Brien &lt;ops&gt;');
    expect(expected).not.toMatch(/<(?!\/?[a-z!][^<>]*>)/);
  });
});
