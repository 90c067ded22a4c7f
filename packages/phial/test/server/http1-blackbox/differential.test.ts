/**
 * Differential: ~30 well-formed requests sent byte-for-byte to the server under test and to the node:http
 * adapter (`createNodeServer`); status, body and the headers that matter must be equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from './fixture.js';
import { Conn, collect, header, type Parsed, rng, start, stopAll, TARGET } from './harness.js';

let underTest: number;
let reference: number;

beforeAll(async () => {
  underTest = (await start(makeApp())).port;
  reference = (await start(makeApp(), undefined, 'node')).port;
});
afterAll(stopAll);

const KEY_HEADERS = [
  'content-type',
  'content-length',
  'transfer-encoding',
  'location',
  'set-cookie',
  'allow',
  'etag',
  'x-echo',
  'vary',
  'cache-control',
  'www-authenticate',
];

const multipart =
  '--b1\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--b1\r\nContent-Disposition: form-data; name="up"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\n--b1--\r\n';
const bigBody = 'q'.repeat(50_000);

const CASES: [string, string, string][] = [
  ['GET /', 'GET', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET int param', 'GET', 'GET /n/42 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET 404', 'GET', 'GET /missing HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET 404 int converter', 'GET', 'GET /n/abc HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['POST to GET-only → 405', 'POST', 'POST /n/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'],
  ['OPTIONS automatic', 'OPTIONS', 'OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HEAD /', 'HEAD', 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HEAD stream', 'HEAD', 'HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['query args', 'GET', 'GET /args?a=1&b=%C3%A9&a=2&c HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['percent-encoded path', 'GET', 'GET /unicode/J%C3%BCrgen HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['strict slashes redirect', 'GET', 'GET /dir HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['trailing slash ok', 'GET', 'GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['redirect', 'GET', 'GET /redirect HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['set-cookie twice', 'GET', 'GET /cookie HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['204', 'GET', 'GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['304', 'GET', 'GET /notmodified HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['500', 'GET', 'GET /throw HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['stream', 'GET', 'GET /stream?n=7 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['web ReadableStream body', 'GET', 'GET /webstream HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HTTP/1.0 stream', 'GET', 'GET /stream?n=2 HTTP/1.0\r\n\r\n'],
  [
    'JSON echo',
    'POST',
    'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"k":[true]} ',
  ],
  [
    'bad JSON → 400',
    'POST',
    'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"k":',
  ],
  [
    'urlencoded',
    'POST',
    'POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\na=1&b=%20x&a=2',
  ],
  [
    'multipart',
    'POST',
    `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b1\r\nContent-Length: ${multipart.length}\r\n\r\n${multipart}`,
  ],
  [
    'chunked POST',
    'POST',
    'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n',
  ],
  ['empty POST', 'POST', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'],
  ['POST without length', 'POST', 'POST /echo HTTP/1.1\r\nHost: x\r\n\r\n'],
  [
    '50 KB body',
    'POST',
    `PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${bigBody.length}\r\n\r\n${bigBody}`,
  ],
  ['DELETE', 'DELETE', 'DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n'],
  [
    'request headers seen by the app',
    'GET',
    'GET /headers HTTP/1.1\r\nHost: example.org:8080\r\nUser-Agent: t/1\r\nAccept: a\r\nAccept: b\r\nCookie: x=1\r\nCookie: y=2\r\nSet-Cookie: s=1\r\nSet-Cookie: t=2\r\nContent-Type: a/b\r\nContent-Type: c/d\r\nX-Custom: \t spaced \t\r\n\r\n',
  ],
  ['HTTP/1.0', 'GET', 'GET /n/10 HTTP/1.0\r\n\r\n'],
  ['HTTP/1.0 keep-alive', 'GET', 'GET /n/11 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
  ['absolute-form', 'GET', 'GET http://x/n/5?z=1 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['custom status text', 'GET', 'GET /status-text?t=Pretty%20Good HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['1 MB string body', 'GET', 'GET /blob?kb=1024 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['300 KB bytes body', 'GET', 'GET /bytes HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HEAD 1 MB', 'HEAD', 'HEAD /blob?kb=1024 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['header injection sanitised', 'GET', 'GET /inject?v=a%0D%0AX-Bad:%201 HTTP/1.1\r\nHost: x\r\n\r\n'],
];

async function send(port: number, method: string, bytes: string): Promise<Parsed> {
  const conn = await Conn.open(port);
  try {
    conn.write(bytes);
    return await conn.read(method, 3000);
  } finally {
    conn.destroy();
  }
}

function summary(r: Parsed): Record<string, unknown> {
  const h: Record<string, string[] | undefined> = {};
  for (const k of KEY_HEADERS) h[k] = r.headers.get(k);
  return {
    version: r.version,
    status: r.status,
    reason: r.reason,
    body: r.body.toString('latin1'),
    headers: h,
  };
}

describe(`differential: ${TARGET} vs node:http adapter`, () => {
  it.each(CASES)('%s', async (_name, method, bytes) => {
    const [a, b] = await Promise.all([send(underTest, method, bytes), send(reference, method, bytes)]);
    expect(summary(a)).toEqual(summary(b));
    expect(header(a, 'date')).toBeDefined();
  });
});

const FUZZ_SEEDS = [
  'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world',
  'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  'GET /n/3 HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\r\n',
  'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n',
];
const TOKENS = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '0',
  'f',
  '\x7f',
  '\xff',
  'chunked',
  'Content-Length: 1\r\n',
  'Transfer-Encoding: chunked\r\n',
  '\r\n ',
  '/',
  '.',
];

function mutateOne(r: () => number, s: string): string {
  let out = s;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (out.length + 1));
    switch (Math.floor(r() * 4)) {
      case 0:
        out = out.slice(0, pos) + String.fromCharCode(Math.floor(r() * 128)) + out.slice(pos + 1);
        break;
      case 1:
        out = out.slice(0, pos) + (TOKENS[Math.floor(r() * TOKENS.length)] as string) + out.slice(pos);
        break;
      case 2:
        out = out.slice(0, pos) + out.slice(pos + 1 + Math.floor(r() * 3));
        break;
      default: {
        const l = out.split('\r\n');
        const i = Math.floor(r() * l.length);
        l.splice(i, 0, l[i] as string);
        out = l.join('\r\n');
      }
    }
  }
  return out;
}

/** First response: status and (for a 2xx) body; '' when the server sent nothing. */
function firstAnswer(text: string): { status: string; body: string } {
  if (!text.startsWith('HTTP/1.1 ')) return { status: '', body: '' };
  const status = text.slice(9, 12);
  const head = text.indexOf('\r\n\r\n');
  const cl = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
  const body = cl ? text.slice(head + 4, head + 4 + Number(cl[1])) : '';
  return { status, body };
}

describe.skipIf(TARGET === 'node')(
  'differential fuzz: nothing node:http refuses is served, nothing both serve differs',
  () => {
    it('300 mutated single requests', async () => {
      const r = rng(Number(process.env.PHIAL_FUZZ_SEED ?? 0xbadc0de));
      // only the head is mutated: bytes after the request (node refuses the whole read when they are bad,
      // Phial's server answers the first request first) would make the comparison meaningless
      const inputs = Array.from({ length: 300 }, (_, i) => {
        const seed = FUZZ_SEEDS[i % FUZZ_SEEDS.length] as string;
        const cut = seed.indexOf('\r\n\r\n');
        return mutateOne(r, seed.slice(0, cut)) + seed.slice(cut);
      });
      const problems: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < inputs.length) {
            const input = inputs[next++] as string;
            const [a, b] = await Promise.all([
              collect(underTest, input, 300, 2000, true),
              collect(reference, input, 300, 2000, true),
            ]);
            const x = firstAnswer(a.text);
            const y = firstAnswer(b.text);
            const served = (s: string) => s.startsWith('2');
            // repeated identical Content-Length lines: RFC 9110 §8.6 lets a server accept them (node refuses)
            const cls = [...input.matchAll(/\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)/gi)].map(
              (m) => m[1],
            );
            if (cls.length > 1 && cls.every((v) => v === cls[0])) continue;
            // a mutated Content-Length leaves bytes after the request: node refuses the whole read
            const after = input.length - input.indexOf('\r\n\r\n') - 4;
            if (cls.length === 1 && Number(cls[0]) < after) continue;
            // bytes left after the first request (a mutated length): node refuses the whole read, Phial's
            // server answers the first request and then refuses the rest — not a parsing difference
            if ((a.text.match(/(^|\r\n|\n)HTTP\/1\.1 \d\d\d /g) ?? []).length > 1) continue;
            if (served(x.status) && y.status === '400')
              problems.push(
                `served what node refuses: ${JSON.stringify(input)} → ${x.status} ${JSON.stringify(x.body.slice(0, 60))}`,
              );
            else if (served(x.status) && served(y.status) && x.body !== y.body)
              problems.push(
                `both serve, bodies differ: ${JSON.stringify(input)} → ${JSON.stringify(x.body)} vs node ${JSON.stringify(y.body)}`,
              );
          }
        }),
      );
      expect(problems).toEqual([]);
    });
  },
);
