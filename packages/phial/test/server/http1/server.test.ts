/** Phial's HTTP/1.1 server over real sockets: the happy paths, framing, keep-alive and pipelining. */
import { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessEntry, createHttp1Server } from '../../../src/server/http1/index.js';
import { makeApp, type Probe } from './fixture.js';
import { Client, exchange, quietApp, serve, sleep, stopAll } from './helpers.js';

const probe: Probe = { aborts: 0, streamsClosed: 0, hits: 0 };
const log: AccessEntry[] = [];
let port = 0;

beforeAll(async () => {
  port = (await serve(makeApp(probe), undefined, { onResponse: (e) => log.push(e) })).port;
});
afterAll(stopAll);

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe('the server object', () => {
  it('is a node http.Server with node timeouts', () => {
    const s = createHttp1Server(quietApp());
    expect(s).toBeInstanceOf(Server);
    expect(typeof s.headersTimeout).toBe('number');
    expect(typeof s.keepAliveTimeout).toBe('number');
    expect(s.listenerCount('connection')).toBe(1);
  });
});

describe('responses', () => {
  it('GET: status line, Date, Content-Length, body in order', async () => {
    const { responses, closed } = await exchange(port, get('/plaintext'));
    const r = responses[0];
    expect(r?.status).toBe(200);
    expect(r?.reason).toBe('OK');
    expect(r?.headers['content-type']).toEqual(['text/plain']);
    expect(r?.headers['content-length']).toEqual(['13']);
    expect(r?.headers.date?.[0]).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
    expect(r?.body).toBe('Hello, World!');
    expect(r?.headers.connection).toBeUndefined();
    expect(closed).toBe(false);
  });

  it('a UTF-8 string body: Content-Length counts bytes', async () => {
    const { responses } = await exchange(port, get('/unicode'));
    const r = responses[0];
    expect(r?.headers['content-length']).toEqual([String(Buffer.byteLength('héllo ☃'))]);
    expect(Buffer.from(r?.body ?? '', 'latin1').toString('utf8')).toBe('héllo ☃');
  });

  it('byte bodies, small and large, arrive intact', async () => {
    const small = await exchange(port, get('/bytes'));
    expect([...Buffer.from(small.responses[0]?.body ?? '', 'latin1')]).toEqual([1, 2, 3, 250]);
    const big = await exchange(port, get('/big'));
    expect(big.responses[0]?.headers['content-length']).toEqual(['100000']);
    expect(big.responses[0]?.body).toBe('a'.repeat(100_000));
  });

  it('HEAD: headers with the GET length, no body; the connection continues', async () => {
    const { responses } = await exchange(port, `HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\n${get('/n/7')}`, {
      n: 2,
      methods: ['HEAD', 'GET'],
    });
    expect(responses[0]?.headers['content-length']).toEqual(['13']);
    expect(responses[0]?.body).toBe('');
    expect(responses[1]?.body).toBe('n=7');
  });

  it('204 and 304: no body, no Content-Length', async () => {
    const { responses } = await exchange(port, get('/none') + get('/notmod') + get('/n/1'), { n: 3 });
    expect(responses.map((r) => r.status)).toEqual([204, 304, 200]);
    expect(responses[0]?.headers['content-length']).toBeUndefined();
    expect(responses[1]?.headers['content-length']).toBeUndefined();
    expect(responses[2]?.body).toBe('n=1');
  });

  it('a streamed body is chunked on HTTP/1.1, then the connection is reused', async () => {
    const { responses } = await exchange(port, get('/stream') + get('/n/2'), { n: 2 });
    expect(responses[0]?.chunked).toBe(true);
    expect(responses[0]?.headers['content-length']).toBeUndefined();
    expect(responses[0]?.body).toBe('part0;part1;part2;');
    expect(responses[1]?.body).toBe('n=2');
  });

  it('a streamed body is close-delimited on HTTP/1.0', async () => {
    const { responses, closed, text } = await exchange(
      port,
      'GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    );
    expect(closed).toBe(true);
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(responses[0]?.body).toBe('part0;part1;part2;');
  });

  it('HEAD on a stream: no body, no Transfer-Encoding, and the producer never runs', async () => {
    const before = probe.streamsClosed;
    const { responses, text } = await exchange(
      port,
      `HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n${get('/n/3')}`,
      {
        n: 2,
        methods: ['HEAD', 'GET'],
      },
    );
    expect(text).not.toMatch(/part0/);
    expect(responses[0]?.headers['transfer-encoding']).toBeUndefined();
    expect(responses[1]?.body).toBe('n=3');
    expect(probe.streamsClosed).toBe(before);
  });

  it('an app error is a 500 and the connection stays usable', async () => {
    const { responses, closed } = await exchange(port, get('/boom') + get('/n/4'), { n: 2 });
    expect(responses.map((r) => r.status)).toEqual([500, 200]);
    expect(closed).toBe(false);
  });

  it('a close callback that never settles does not hold the next request', async () => {
    const { responses } = await exchange(port, get('/close-hangs') + get('/n/3'), { n: 2 });
    expect(responses.map((r) => r.body)).toEqual(['done', 'n=3']);
  });

  it('Set-Cookie headers stay separate lines', async () => {
    const { responses } = await exchange(port, get('/cookies'));
    expect(responses[0]?.headers['set-cookie']?.length).toBe(2);
  });

  it('Connection: close set by the app closes after the response', async () => {
    const { responses, closed } = await exchange(port, get('/close') + get('/n/5'), { n: 2 });
    expect(responses.length).toBe(1);
    expect(closed).toBe(true);
  });

  it("the app's Connection header is kept while the connection stays open, replaced when it closes", async () => {
    const open = await exchange(port, get('/keep') + get('/n/5'), { n: 2 });
    expect(open.responses[0]?.headers.connection).toEqual(['keep-alive']);
    expect(open.responses[1]?.body).toBe('n=5');
    expect(open.closed).toBe(false);
    const closing = await exchange(port, get('/keep', 'Connection: close\r\n') + get('/n/5'), { n: 2 });
    expect(closing.responses.length).toBe(1);
    expect(closing.responses[0]?.headers.connection).toEqual(['close']);
    expect(closing.closed).toBe(true);
  });

  it('the access log gets one entry per response', async () => {
    log.length = 0;
    await exchange(port, get('/n/9'));
    await sleep(10);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      method: 'GET',
      url: '/n/9',
      status: 200,
      httpVersion: '1.1',
      remoteAddress: '127.0.0.1',
    });
  });
});

describe('header safety', () => {
  it('CR/LF in an app header value never splits the head', async () => {
    const { responses, text } = await exchange(port, get('/inject'));
    const r = responses[0];
    expect(r?.status).toBe(200);
    expect(r?.headers['set-cookie']).toBeUndefined();
    expect(r?.body).toBe('ok');
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line).not.toMatch(/[\r\n]/);
    expect(head.split('\r\n').filter((l) => /^x-(a|b):/i.test(l)).length).toBe(2);
    expect(head.split('\r\n').filter((l) => l.startsWith('HTTP/')).length).toBe(1);
  });

  it('CR/LF in a reason phrase never splits the head', async () => {
    const { responses } = await exchange(port, get('/badreason'));
    expect(responses[0]?.headers['x-evil']).toBeUndefined();
    expect(responses[0]?.body).toBe('x');
  });
});

describe('request bodies', () => {
  it('POST with Content-Length', async () => {
    const { responses } = await exchange(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    );
    expect(JSON.parse(responses[0]?.body ?? '')).toEqual({ len: 5, body: 'hello' });
  });

  it('POST chunked, with an extension and a trailer; the connection continues', async () => {
    const { responses, closed } = await exchange(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n' +
        get('/n/6'),
      { n: 2 },
    );
    expect(JSON.parse(responses[0]?.body ?? '')).toEqual({ len: 11, body: 'hello world' });
    expect(responses[1]?.body).toBe('n=6');
    expect(closed).toBe(false);
  });

  it('a body split across many writes', async () => {
    const c = await Client.open(port);
    const req =
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    for (const ch of req) {
      c.write(ch);
      await sleep(1);
    }
    const [r] = await c.responses(1);
    expect(JSON.parse(r?.body ?? '')).toEqual({ len: 5, body: 'abcde' });
    c.destroy();
  });

  it('JSON', async () => {
    const body = JSON.stringify({ a: [1, 2], b: 'é' });
    const { responses } = await exchange(
      port,
      Buffer.from(
        `POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
    expect(JSON.parse(Buffer.from(responses[0]?.body ?? '', 'latin1').toString())).toEqual({
      got: { a: [1, 2], b: 'é' },
    });
  });

  it('an urlencoded form', async () => {
    const body = 'a=1&b=two+words';
    const { responses } = await exchange(
      port,
      `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(JSON.parse(responses[0]?.body ?? '')).toEqual({ form: { a: '1', b: 'two words' } });
  });

  it('a multipart upload sent chunked', async () => {
    const b = 'XyZ';
    const mp = `--${b}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--${b}--\r\n`;
    const half = Math.floor(mp.length / 2);
    const chunks = [mp.slice(0, half), mp.slice(half)]
      .map((c) => `${c.length.toString(16)}\r\n${c}\r\n`)
      .join('');
    const { responses } = await exchange(
      port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(JSON.parse(responses[0]?.body ?? '')).toEqual({
      field: 'value',
      filename: 'a.txt',
      text: 'file body',
    });
  });

  it('duplicate request headers merge like node', async () => {
    const { responses } = await exchange(
      port,
      'GET /headers HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\nX-List: 1\r\nX-List: 2\r\nUser-Agent: first\r\nUser-Agent: second\r\nConstructor: c\r\n\r\n',
    );
    const h = JSON.parse(responses[0]?.body ?? '');
    expect(h.cookie).toBe('a=1; b=2');
    expect(h['x-list']).toBe('1, 2');
    expect(h['user-agent']).toBe('first');
    expect(h.constructor).toBe('c');
    expect(h.host).toBe('x');
  });
});

describe('connections', () => {
  it('keep-alive: several requests on one socket', async () => {
    const c = await Client.open(port);
    for (let i = 0; i < 5; i++) {
      c.write(get(`/n/${i}`));
      const rs = await c.responses(i + 1);
      expect(rs[i]?.body).toBe(`n=${i}`);
    }
    expect(c.closed).toBe(false);
    c.destroy();
  });

  it('three pipelined requests in one write are answered in order (the first one slow)', async () => {
    const { responses } = await exchange(port, get('/slow') + get('/n/1') + get('/stream'), { n: 3 });
    expect(responses.map((r) => r.body)).toEqual(['slow', 'n=1', 'part0;part1;part2;']);
  });

  it('pipelined POSTs with bodies between GETs', async () => {
    const { responses } = await exchange(
      port,
      `${get('/n/1')}POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc${get('/n/2')}POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n${get('/n/3')}`,
      { n: 5 },
    );
    const bodies = responses.map((r) => r.body);
    expect([bodies[0], bodies[2], bodies[4]]).toEqual(['n=1', 'n=2', 'n=3']);
    expect(JSON.parse(bodies[1] ?? '')).toEqual({ len: 3, body: 'abc' });
    expect(JSON.parse(bodies[3] ?? '')).toEqual({ len: 2, body: 'xy' });
  });

  it('Connection: close from the client: the response, then the server closes', async () => {
    const { responses, closed } = await exchange(port, get('/n/1', 'Connection: close\r\n'));
    expect(responses[0]?.headers.connection).toEqual(['close']);
    expect(closed).toBe(true);
  });

  it('HTTP/1.0: closes by default; keep-alive on request is answered keep-alive', async () => {
    const a = await exchange(port, 'GET /n/1 HTTP/1.0\r\n\r\n');
    expect(a.responses[0]?.body).toBe('n=1');
    expect(a.closed).toBe(true);
    const b = await exchange(
      port,
      'GET /n/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /n/3 HTTP/1.0\r\n\r\n',
      {
        n: 2,
      },
    );
    expect(b.responses[0]?.headers.connection).toEqual(['keep-alive']);
    expect(b.responses.map((r) => r.body)).toEqual(['n=2', 'n=3']);
    expect(b.closed).toBe(true);
  });

  it('5000 pipelined requests to a client that reads late are all answered, in order', async () => {
    const c = await Client.open(port);
    c.socket.pause();
    let all = '';
    for (let i = 0; i < 5000; i++) all += get(`/n/${i}`);
    c.write(all);
    await sleep(200);
    c.socket.resume();
    expect(await c.until(() => (c.text.match(/HTTP\/1\.1 200 /g)?.length ?? 0) >= 5000, 8000)).toBe(true);
    const bodies = c.text.match(/n=\d+/g) ?? [];
    expect(bodies.length).toBe(5000);
    expect(bodies.every((b, i) => b === `n=${i}`)).toBe(true);
    c.destroy();
  });

  it('empty lines before a request line are ignored', async () => {
    const { responses } = await exchange(port, `\r\n\r\n${get('/n/8')}`);
    expect(responses[0]?.body).toBe('n=8');
  });
});
