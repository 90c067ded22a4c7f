/**
 * Robustness: abrupt clients and a seeded fuzz loop of mutated requests. Nothing may crash the process or
 * leave a socket hanging: every connection gets a well-framed response or a close within a timeout, and a
 * normal request afterwards is still served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeProbe } from './fixture.js';
import {
  Conn,
  FramingError,
  type Parsed,
  parseOne,
  rng,
  simpleGet,
  sleep,
  start,
  stopAll,
  TruncatedError,
} from './harness.js';

let port: number;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  port = (
    await start(makeApp(makeProbe(), 10_000), (s) => {
      s.headersTimeout = 500;
      s.requestTimeout = 1000;
      s.keepAliveTimeout = 500;
    })
  ).port;
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await stopAll();
});

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
}

describe('abrupt clients', () => {
  it('200 connections dropped mid-head / mid-body (FIN or RST) leave the server serving', async () => {
    const kinds = [
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: partial',
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part',
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel',
      'GET /endless HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /big?mb=2 HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    const stats = { responded: 0, closed: 0 };
    await pool(
      Array.from({ length: 200 }, (_, i) => i),
      40,
      async (i) => {
        const conn = await Conn.open(port);
        conn.write(kinds[i % kinds.length] as string);
        await sleep(i % 7);
        // an endless stream to a half-closed (still reading) client may legitimately go on: RST those only
        if (i % 2 === 0 && i % kinds.length !== 3) {
          // half-close: the server sees EOF; it must answer or close, not hang
          conn.end();
          const closed = await conn.waitClosed(3000);
          expect(closed, `connection ${i} (${JSON.stringify(kinds[i % kinds.length])}) hung after FIN`).toBe(
            true,
          );
          if (conn.text().length) stats.responded++;
          stats.closed++;
        }
        conn.socket.resetAndDestroy();
      },
    );
    expect(stats.closed).toBe(80);
    const r = await simpleGet(port, '/n/1');
    expect([r.status, r.body.toString()]).toEqual([200, 'n=1']);
    expect(uncaught).toEqual([]);
  });
});

describe('many connections at once', () => {
  it('40 keep-alive connections × 40 mixed requests (strings, streams, HEAD, 204, view-set Connection/Content-Length): no cross-talk', async () => {
    const kinds: [string, string, (r: Parsed) => void][] = [
      ['GET', 'GET /n/{i} HTTP/1.1\r\nHost: x\r\n\r\n', (r) => expect(r.body.toString()).toMatch(/^n=\d+$/)],
      [
        'GET',
        'GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n',
        (r) => {
          expect(r.chunked).toBe(true);
          expect(r.body.toString()).toBe('part0;part1;part2;');
        },
      ],
      ['HEAD', 'HEAD /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n', (r) => expect(r.body.length).toBe(0)],
      ['GET', 'GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n', (r) => expect(r.status).toBe(204)],
      [
        'GET',
        'GET /cl-header HTTP/1.1\r\nHost: x\r\n\r\n',
        (r) => expect(r.headers.get('content-length')).toEqual(['3']),
      ],
      [
        'POST',
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody',
        (r) => expect(JSON.parse(r.body.toString()).body).toBe('body'),
      ],
      [
        'GET',
        'GET /slow?ms=5 HTTP/1.1\r\nHost: x\r\n\r\n',
        (r) => expect(r.body.toString()).toBe('slow done'),
      ],
    ];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, c) => {
        const conn = await Conn.open(port);
        try {
          for (let i = 0; i < 40; i++) {
            const [method, tpl, check] = kinds[(c + i * 3) % kinds.length] as (typeof kinds)[number];
            conn.write(tpl.replace('{i}', String(i)));
            const r = await conn.read(method, 3000);
            try {
              check(r);
              if (r.headers.get('connection')?.[0] === 'close')
                throw new Error('unexpected Connection: close');
            } catch (e) {
              failures.push(`conn ${c} req ${i} ${tpl.split('\r')[0]}: ${(e as Error).message}`);
            }
          }
          // and a view that asks to close, last
          conn.write('GET /close-me HTTP/1.1\r\nHost: x\r\n\r\n');
          const last = await conn.read('GET', 3000);
          if (last.headers.get('connection')?.[0] !== 'close' || !(await conn.waitClosed(1000)))
            failures.push(`conn ${c}: /close-me did not close`);
        } finally {
          conn.destroy();
        }
      }),
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(uncaught).toEqual([]);
  });
});

const SEEDS = [
  'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /n/12?a=1&b=2 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nCookie: a=b\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world',
  'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"a":[1]}',
  'HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 61\r\n\r\n--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zz--\r\n',
  'PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n',
];

const INTERESTING = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '-',
  '0',
  'f',
  '\x7f',
  '\xff',
  'HTTP/1.1',
  'chunked',
  'Content-Length: 1\r\n',
  'Transfer-Encoding: chunked\r\n',
  '\r\n\r\n',
  '99999999999999999999',
];

function mutate(r: () => number, s: string): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  let out = s;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (out.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: // flip a byte
        out = out.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + out.slice(pos + 1);
        break;
      case 1: // insert an interesting token
        out = out.slice(0, pos) + pick(INTERESTING) + out.slice(pos);
        break;
      case 2: // delete a range
        out = out.slice(0, pos) + out.slice(pos + Math.floor(r() * 10));
        break;
      case 3: {
        // duplicate a line
        const lines = out.split('\r\n');
        const i = Math.floor(r() * lines.length);
        lines.splice(i, 0, lines[i] as string);
        out = lines.join('\r\n');
        break;
      }
      case 4: // truncate
        out = out.slice(0, pos);
        break;
      case 5: // random bytes
        out =
          out.slice(0, pos) +
          Array.from({ length: 1 + Math.floor(r() * 8) }, () =>
            String.fromCharCode(Math.floor(r() * 256)),
          ).join('') +
          out.slice(pos);
        break;
      default: // concatenate another seed (pipelining)
        out += pick(SEEDS);
    }
  }
  return out;
}

/**
 * Checks that whatever came back is a sequence of well-framed responses (the last may be cut by a close).
 * A response may answer a HEAD (bodiless despite Content-Length): both readings are tried (backtracking).
 */
function checkFraming(raw: Buffer, closed: boolean): string | null {
  let firstError: string | null = null;
  const walk = (off: number, count: number, depth: number): boolean => {
    if (off >= raw.length) return true;
    if (depth > 40) return true;
    for (const method of ['GET', 'HEAD']) {
      try {
        const got = parseOne(raw, off, method, closed);
        if (!got) return true; // partial response (no close): the caller's hang check covers it
        if (walk(got.next, count + 1, depth + 1)) return true;
      } catch (e) {
        // a response cut by the close is how an aborted response is signalled: fine as the last thing sent
        if (e instanceof TruncatedError) return true;
        if (!(e instanceof FramingError)) throw e;
        firstError ??= `${e.message} after ${count} responses`;
      }
    }
    return false;
  };
  return walk(0, 0, 0) ? null : (firstError ?? 'unparseable');
}

/** Replay or widen the fuzz: PHIAL_FUZZ_SEED=<n> PHIAL_FUZZ_N=<count>. */
const SEED = Number(process.env.PHIAL_FUZZ_SEED ?? 0xc0ffee);
const FUZZ_N = Number(process.env.PHIAL_FUZZ_N ?? 300);

describe('seeded fuzz', () => {
  it(`${FUZZ_N} mutated requests (then FIN): every socket answered or closed within 3 s, framing always valid`, async () => {
    const r = rng(SEED);
    const inputs = Array.from({ length: FUZZ_N }, (_, i) => mutate(r, SEEDS[i % SEEDS.length] as string));
    const problems: string[] = [];
    await pool(inputs, 25, async (input, i) => {
      const conn = await Conn.open(port);
      conn.write(input);
      conn.end();
      const closed = await conn.waitClosed(3000);
      const raw = Buffer.concat(conn.all);
      conn.destroy();
      if (!closed)
        problems.push(
          `#${i} hung (no close in 3 s): ${JSON.stringify(input)} got ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`,
        );
      const bad = checkFraming(raw, true);
      if (bad) problems.push(`#${i} bad framing: ${bad}: ${JSON.stringify(input)}`);
      const text = raw.toString('latin1');
      if (/^HTTP\/1\.1 5\d\d /m.test(text) && !/^HTTP\/1\.1 50[15] /m.test(text))
        problems.push(`#${i} server error: ${JSON.stringify(input)} → ${JSON.stringify(text.slice(0, 120))}`);
    });
    expect(problems).toEqual([]);
    const ok = await simpleGet(port, '/n/2');
    expect([ok.status, ok.body.toString()]).toEqual([200, 'n=2']);
    expect(uncaught).toEqual([]);
  });

  it('60 mutated requests left open: answered, or closed by the server timeouts within 3 s', async () => {
    const r = rng(SEED + 1);
    const inputs = Array.from({ length: 60 }, (_, i) => mutate(r, SEEDS[i % SEEDS.length] as string));
    const problems: string[] = [];
    await pool(inputs, 60, async (input, i) => {
      const conn = await Conn.open(port);
      conn.write(input);
      // either the server closes (error, timeout, idle keep-alive) or we saw at least one full response
      const closed = await conn.waitClosed(3000);
      const raw = Buffer.concat(conn.all);
      conn.destroy();
      if (!closed)
        problems.push(
          `#${i} still open after 3 s: ${JSON.stringify(input)} got ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`,
        );
      const bad = checkFraming(raw, closed);
      if (bad) problems.push(`#${i} bad framing: ${bad}: ${JSON.stringify(input)}`);
    });
    expect(problems).toEqual([]);
    const ok = await simpleGet(port, '/n/3');
    expect([ok.status, ok.body.toString()]).toEqual([200, 'n=3']);
    expect(uncaught).toEqual([]);
  });

  it('pure random bytes never crash or hang', async () => {
    const r = rng(SEED + 2);
    const inputs = Array.from({ length: 100 }, () =>
      Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256))),
    );
    const problems: string[] = [];
    await pool(inputs, 25, async (input, i) => {
      const conn = await Conn.open(port);
      conn.write(input);
      conn.end();
      if (!(await conn.waitClosed(3000))) problems.push(`#${i} hung: ${input.toString('hex')}`);
      const text = conn.text();
      if (text && !/^HTTP\/1\.1 (4\d\d|505) /.test(text))
        problems.push(`#${i} answered ${JSON.stringify(text.slice(0, 80))}`);
      conn.destroy();
    });
    expect(problems).toEqual([]);
    const ok = await simpleGet(port, '/');
    expect(ok.status).toBe(200);
    expect(uncaught).toEqual([]);
  });
});
