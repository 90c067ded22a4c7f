/**
 * WebSocket routes through the in-process test client: routing, converters, blueprints, hooks, session
 * and g, subprotocols, origins, limits, close codes, and teardown after the connection ends.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Blueprint,
  g,
  makeResponse,
  Phial,
  request,
  type ServerWebSocket,
  session,
  WebSocketRefused,
} from '../../src/index.js';
import { recordingLogger, sleep, waitFor } from './helpers.js';

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.secretKey = 'test secret';
  return app;
}

describe('WebSocket routes (test client)', () => {
  it('echoes with typed params, request and g inside the handler, async iteration', async () => {
    const app = makeApp();
    app.beforeRequest(() => {
      g.who = 'ada';
    });
    app.websocket('/ws/<int:room>', async (ws, req) => {
      expectTypeOf(req.params.room).toEqualTypeOf<number>();
      await ws.send(`joined ${req.params.room + 1} as ${String(g.who)} at ${request.path}`);
      for await (const message of ws) {
        await sleep(1);
        await ws.send(`echo: ${typeof message === 'string' ? message : `${message.byteLength} bytes`}`);
      }
    });
    const client = app.testClient();
    const ws = await client.websocket('/ws/41');
    expect(await ws.receive()).toBe('joined 42 as ada at /ws/41');
    ws.send('hi');
    ws.send(new Uint8Array([1, 2, 3]));
    expect(await ws.receive()).toBe('echo: hi');
    expect(await ws.receive()).toBe('echo: 3 bytes');
    await ws.close();
    expect(ws.closeCode).toBe(1000);
  });

  it('takes blueprint prefixes and endpoints; a plain GET gets 426; a wrong converter gets 404', async () => {
    const app = makeApp();
    const bp = new Blueprint('api', import.meta.url, { urlPrefix: '/api' });
    bp.websocket('/chat/<name>', async function chat(ws, req) {
      await ws.send(`${req.endpoint} ${req.params.name}`);
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    const ws = await client.websocket('/api/chat/bob');
    expect(await ws.receive()).toBe('api.chat bob');
    await ws.whenClosed();
    expect(ws.closeCode).toBe(1000); // the handler returned without listeners: normal close
    const plain = await client.get('/api/chat/bob');
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    await expect(client.websocket('/api/nope')).rejects.toMatchObject({ status: 404 });
  });

  it('runs beforeRequest hooks on the upgrade: a returned response refuses it; session works', async () => {
    const app = makeApp();
    app.post('/login', () => {
      session.set('user', 'grace');
      return 'ok';
    });
    app.beforeRequest((req) => {
      if (req.endpoint === 'privateWs' && !session.has('user')) return makeResponse('login required', 401);
      return undefined;
    });
    app.websocket('/private', async function privateWs(ws) {
      await ws.send(`hello ${String(session.get('user'))}`);
    });
    const client = app.testClient();
    const refused = await client.websocket('/private').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebSocketRefused);
    expect((refused as WebSocketRefused).status).toBe(401);
    await client.post('/login');
    const ws = await client.websocket('/private');
    expect(await ws.receive()).toBe('hello grace');
    // a cookie set by a hook during the upgrade reaches the client's jar
    app.beforeRequest((req) => {
      if (req.endpoint === 'privateWs') session.set('upgraded', 'yes');
    });
    app.get('/whoami', () => String(session.get('upgraded')));
    await client.websocket('/private');
    expect((await client.get('/whoami')).text).toBe('yes');
  });

  it('negotiates subprotocols in the route order of preference', async () => {
    const app = makeApp();
    app.websocket('/p', { subprotocols: ['chat.v2', 'chat.v1'] }, async (ws) => {
      await ws.send(`protocol=${ws.protocol}`);
    });
    const client = app.testClient();
    const a = await client.websocket('/p', { protocols: ['chat.v1', 'chat.v2'] });
    expect(a.protocol).toBe('chat.v2');
    expect(await a.receive()).toBe('protocol=chat.v2');
    const b = await client.websocket('/p', { protocols: ['other'] });
    expect(b.protocol).toBe('');
    await expect(
      client.websocket('/p', { headers: { 'Sec-WebSocket-Protocol': 'bad protocol, ,' } }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('refuses cross-site upgrades with 403 unless origins allows them', async () => {
    const app = makeApp();
    app.websocket('/same', async (ws) => void (await ws.send('ok')));
    app.websocket(
      '/shared',
      { origins: ['https://trusted.example'] },
      async (ws) => void (await ws.send('ok')),
    );
    const client = app.testClient();
    await expect(
      client.websocket('/same', { headers: { Origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({ status: 403 });
    const own = await client.websocket('/same', { headers: { Origin: 'http://localhost' } });
    expect(await own.receive()).toBe('ok');
    const noOrigin = await client.websocket('/same');
    expect(await noOrigin.receive()).toBe('ok');
    const trusted = await client.websocket('/shared', { headers: { Origin: 'https://trusted.example' } });
    expect(await trusted.receive()).toBe('ok');
    await expect(
      client.websocket('/shared', { headers: { Origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('answers an upgrade to a non-WebSocket route with its normal response', async () => {
    const app = makeApp();
    app.get('/page', () => 'just a page');
    const err = (await app
      .testClient()
      .websocket('/page')
      .catch((e: unknown) => e)) as WebSocketRefused;
    expect(err.status).toBe(200);
    expect(err.text).toBe('just a page');
  });

  it('refuses malformed handshakes with 400', async () => {
    const app = makeApp();
    app.websocket('/ws', async () => {});
    const client = app.testClient();
    for (const headers of [
      { 'Sec-WebSocket-Key': 'c2hvcnQ=' },
      { 'Sec-WebSocket-Version': '8' },
      { 'Sec-WebSocket-Version': '' },
    ]) {
      const e = (await client.websocket('/ws', { headers }).catch((x: unknown) => x)) as WebSocketRefused;
      expect(e.status).toBe(400);
      expect(e.headers.get('sec-websocket-version')).toBe('13');
    }
  });

  it('closes with 1009 when a message is larger than maxPayload', async () => {
    const app = makeApp();
    let serverCode: number | null = null;
    app.websocket('/small', { maxPayload: 8 }, async (ws) => {
      ws.on('close', (code) => {
        serverCode = code;
      });
      for await (const m of ws) await ws.send(String(m));
    });
    const ws = await app.testClient().websocket('/small');
    ws.send('12345678');
    expect(await ws.receive()).toBe('12345678');
    ws.send('123456789');
    await ws.whenClosed();
    expect(ws.closeCode).toBe(1009);
    await waitFor(() => serverCode === 1009, 1000, 'server close');
  });

  it('closes with 1011 and logs once when the handler throws; teardown runs after the close', async () => {
    const app = makeApp();
    const errors: unknown[][] = [];
    app.logger = recordingLogger(errors);
    const torn: unknown[] = [];
    app.teardownRequest((e) => {
      torn.push(e);
    });
    app.websocket('/boom', async (ws) => {
      await ws.send('about to fail');
      throw new Error('handler failed');
    });
    const ws = await app.testClient().websocket('/boom');
    expect(await ws.receive()).toBe('about to fail');
    await ws.whenClosed();
    expect(ws.closeCode).toBe(1011);
    await waitFor(() => torn.length === 1, 1000, 'teardown');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.[1])).toContain('handler failed');
    expect(String(torn[0])).toContain('handler failed');
  });

  it('with TESTING, the handler error reaches the test through receive() (not only a 1011 close)', async () => {
    const app = makeApp();
    app.testing = true;
    const errors: unknown[][] = [];
    app.logger = recordingLogger(errors);
    app.websocket('/boom', async (ws) => {
      await ws.send('about to fail');
      throw new Error('handler failed');
    });
    const ws = await app.testClient().websocket('/boom');
    expect(await ws.receive()).toBe('about to fail');
    await expect(ws.receive()).rejects.toThrow('handler failed');
    expect(ws.closeCode).toBe(1011);
    // iterating raises it as well
    const again = await app.testClient().websocket('/boom');
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const m of again) seen.push(m);
      })(),
    ).rejects.toThrow('handler failed');
    expect(seen).toEqual(['about to fail']);
    expect(errors).toEqual([]);
  });

  it('supports event-style handlers (on message/close) that return at once', async () => {
    const app = makeApp();
    const closes: [number, string][] = [];
    app.websocket('/events', (ws: ServerWebSocket) => {
      // listeners run in the handler's request context
      ws.on('message', (m) => void ws.send(`got ${String(m)} at ${request.path}`));
      ws.on('close', (code, reason) => closes.push([code, reason]));
    });
    const ws = await app.testClient().websocket('/events');
    ws.send('one');
    ws.send('two');
    expect(await ws.receive()).toBe('got one at /events');
    expect(await ws.receive()).toBe('got two at /events');
    await ws.close(4000, 'bye');
    expect(closes).toEqual([[4000, 'bye']]);
  });

  it('drops a client that never reads once maxBufferedAmount is passed', async () => {
    const app = makeApp();
    const results: boolean[] = [];
    app.websocket('/flood', { maxBufferedAmount: 64 * 1024 }, async (ws) => {
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 100 && !ws.closed; i++) {
        results.push(await ws.send(chunk));
      }
    });
    const ws = await app.testClient().websocket('/flood');
    await ws.whenClosed();
    expect(ws.closeCode).toBe(1006);
    expect(results.filter(Boolean).length).toBeLessThanOrEqual(5);
    expect(results.at(-1)).toBe(false);
  });
});
