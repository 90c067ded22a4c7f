/**
 * WebSocket upgrades on Node servers (Phial's own and node:http): the server's `upgrade` event hands
 * over the socket; the pipeline decides; `ws` (noServer mode) completes an accepted handshake. Any
 * other answer (a hook's response, 403, 400, 404, a non-WebSocket route's page) is written as a plain
 * HTTP response and the connection closes.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { WebSocketServer as WsServer, WebSocket as WsSocket } from 'ws';
import type { Phial } from '../../app/phial.js';
import { isHTTPException } from '../../http/exceptions.js';
import type { BaseRequest } from '../../http/request.js';
import { type Response, toAsyncIterable } from '../../http/response.js';
import { safeHeaderValue } from '../../http/security.js';
import { drainOrClose, fallbackResponse } from '../../server/node.js';
import { upgradeAnswered } from './answered.js';
import { finishRefused, runUpgrade, startSession, type UpgradeResult } from './session.js';
import type { Transport, TransportSink } from './socket.js';

type WsModule = typeof import('ws');
let wsModule: WsModule | null = null;
/** `ws`, loaded on the first upgrade (apps without WebSocket routes never load it). */
function loadWs(): WsModule {
  if (wsModule === null) wsModule = createRequire(import.meta.url)('ws') as WsModule;
  return wsModule;
}

const TEXT = { binary: false };
const BINARY = { binary: true };

/** The parts of a `ws` socket the direct send path relies on (checked on every send; absent → `ws.send`). */
interface WsInternals {
  _socket?: Duplex | null;
  _sender?: { _state?: unknown; _queue?: unknown[] } | null;
}

/**
 * The network socket when a data frame may be written to it directly: the connection is open and ws's
 * own sender holds nothing back (it only queues while compressing or reading a Blob, and Phial turns
 * compression off and never sends Blobs). Frames are written whole, so they interleave safely with the
 * control frames ws writes itself. A test checks that the installed ws has what this reads, so an upgrade
 * that renames it fails there instead of quietly falling back to the slower path.
 */
export function directSocket(ws: WsSocket): Duplex | null {
  if (ws.readyState !== 1) return null;
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (socket == null || sender == null || sender._state !== 0 || sender._queue?.length !== 0) return null;
  return socket.writable ? socket : null;
}

const SLAB_SIZE = 64 * 1024;
/** Frames up to this size are cut from the slab. */
const SLAB_FRAME_MAX = SLAB_SIZE / 4;
/** The longest frame header: 2 bytes, then a 64-bit length. */
const MAX_HEAD = 10;
/** Binary messages up to this size are copied behind their header; larger ones go through ws (no copy). */
const COPY_LIMIT = SLAB_FRAME_MAX;
let slab: Buffer | null = null;
let slabOffset = 0;

/**
 * The slab, with at least `size` free bytes from `slabOffset`. Frames up to 16 KiB are cut from a shared
 * 64 KiB slab, like Node's own 8 KiB pool (which only serves up to 4 KiB): a separate allocation per 4 KiB
 * message cost more than framing it. A slab is freed once every frame cut from it was written; frames are
 * never reused, so nothing is overwritten.
 */
function slabWithRoom(size: number): Buffer {
  if (slab === null || slabOffset + size > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabOffset = 0;
  }
  return slab;
}

/** Takes `[at, end)` of the slab as a frame; the next frame starts after it, 8-byte aligned like Node's pool. */
function cutSlab(buf: Buffer, at: number, end: number): Buffer {
  slabOffset = (end + 7) & ~7;
  return buf.subarray(at, end);
}

/** The header's size for a payload of `length` bytes (7-bit, 16-bit or 64-bit length). */
function headSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : MAX_HEAD;
}

/** Writes a final frame's header (FIN + `opcode`, unmasked, `length`) at `at`. */
function writeHead(buf: Buffer, at: number, opcode: number, length: number): void {
  buf[at] = 0x80 | opcode;
  if (length < 126) buf[at + 1] = length;
  else if (length < 65536) {
    buf[at + 1] = 126;
    buf.writeUInt16BE(length, at + 2);
  } else {
    buf[at + 1] = 127;
    buf.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
    buf.writeUInt32BE(length >>> 0, at + 6);
  }
}

/** The last string framed, and its frame (frames up to SLAB_FRAME_MAX only). */
let lastText: string | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

/** A text frame (FIN, opcode 1) for `data`. */
function frameText(data: string): Buffer {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: with that much room V8 encodes in one pass (it measures
  // the string first when the space may be short), and the header goes in front once the length is known
  const room = MAX_HEAD + 3 * data.length;
  if (room <= SLAB_FRAME_MAX) {
    const buf = slabWithRoom(room);
    const start = slabOffset + MAX_HEAD;
    const length = buf.write(data, start);
    const at = start - headSize(length);
    writeHead(buf, at, 0x1, length);
    return cutSlab(buf, at, start + length);
  }
  const length = Buffer.byteLength(data);
  const head = headSize(length);
  const frame = Buffer.allocUnsafe(head + length);
  writeHead(frame, 0, 0x1, length);
  frame.write(data, head);
  return frame;
}

/**
 * One unmasked server frame (RFC 6455 §5.2) holding a whole message, header and payload in one buffer:
 * one `socket.write` per message instead of ws's corked header + payload pair (a writev), which is most
 * of the per-message cost for small messages.
 */
function frameMessage(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') {
    // a broadcast sends one string to many sockets: it is encoded once (a frame is never modified)
    if (data === lastText) return lastFrame;
    const frame = frameText(data);
    if (frame.byteLength <= SLAB_FRAME_MAX) {
      lastText = data;
      lastFrame = frame;
    }
    return frame;
  }
  const length = data.byteLength;
  const head = headSize(length);
  const size = head + length;
  const frame =
    size <= SLAB_FRAME_MAX
      ? cutSlab(slabWithRoom(size), slabOffset, slabOffset + size)
      : Buffer.allocUnsafe(size);
  writeHead(frame, 0, 0x2, length);
  frame.set(data, head);
  return frame;
}

/** The `ws` library's socket as a Transport. */
class WsTransport implements Transport {
  constructor(private readonly ws: WsSocket) {}
  get protocol(): string {
    return this.ws.protocol;
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  send(data: string | Uint8Array, cb: (err?: Error) => void): void {
    this.ws.send(data, typeof data === 'string' ? TEXT : BINARY, cb);
  }
  sendNow(data: string | Uint8Array): boolean {
    const ws = this.ws;
    const socket = typeof data === 'string' || data.byteLength <= COPY_LIMIT ? directSocket(ws) : null;
    if (socket !== null) {
      socket.write(frameMessage(data));
      return socket.writableLength === 0;
    }
    ws.send(data, typeof data === 'string' ? TEXT : BINARY);
    return ws.readyState === 1 && ws.bufferedAmount === 0;
  }
  whenWritten(cb: (ok: boolean) => void): void {
    if (this.waiters === null) {
      this.waiters = [cb];
      const socket = (this.ws as unknown as { _socket: Duplex | null })._socket;
      if (socket === null || this.ws.readyState !== 1) {
        this.settle(false);
        return;
      }
      const onDrain = () => {
        if (this.ws.bufferedAmount === 0) done(true);
      };
      const onClose = () => done(false);
      const done = (ok: boolean) => {
        socket.off('drain', onDrain);
        this.ws.off('close', onClose);
        this.settle(ok);
      };
      socket.on('drain', onDrain);
      this.ws.on('close', onClose);
    } else this.waiters.push(cb);
  }
  private waiters: ((ok: boolean) => void)[] | null = null;
  private settle(ok: boolean): void {
    const w = this.waiters;
    this.waiters = null;
    if (w !== null) for (const cb of w) cb(ok);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
  ping(): void {
    try {
      this.ws.ping();
    } catch {
      // closing already
    }
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
  attach(sink: TransportSink): void {
    const ws = this.ws;
    ws.on('message', (data, isBinary) => {
      // ws hands over a Buffer (binaryType 'nodebuffer'): no copy
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data as ArrayBuffer);
      sink.message(
        // toString() without arguments is Buffer's shortest path to UTF-8 (ws validated the bytes)
        isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString(),
      );
    });
    ws.on('pong', () => sink.alive());
    ws.on('ping', () => sink.alive());
    ws.on('close', (code, reason) => sink.close(code, reason.toString('utf8')));
    ws.on('error', (err) => sink.error(err));
  }
}

const handshakeCookies = new WeakMap<IncomingMessage, string[]>();
const protocolFor = new WeakMap<IncomingMessage, string | null>();

/** One `ws` server (noServer) per maxPayload value in use. */
const servers = new WeakMap<Phial, Map<number, WsServer>>();

function wsServerFor(app: Phial, maxPayload: number): WsServer {
  let store = servers.get(app);
  if (store === undefined) {
    store = new Map();
    servers.set(app, store);
  }
  let wss = store.get(maxPayload);
  if (wss === undefined) {
    const { WebSocketServer } = loadWs();
    wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (_offered, req) => protocolFor.get(req) ?? false,
    });
    wss.on('headers', (headers, req) => {
      const cookies = handshakeCookies.get(req);
      if (cookies) for (const c of cookies) headers.push(`Set-Cookie: ${safeHeaderValue(c)}`);
    });
    store.set(maxPayload, wss);
  }
  return wss;
}

const encoder = new TextEncoder();

/** Writes a response on a raw socket (HTTP/1.1, `Connection: close`) and ends it. */
async function writeRaw(socket: Duplex, response: Response, method: string): Promise<void> {
  if (socket.destroyed || !socket.writable) return;
  const status = response.status;
  let head = `HTTP/1.1 ${status} ${safeHeaderValue(response.statusText)}\r\n`;
  const body = response._body;
  const noBody = method === 'HEAD' || status === 204 || status === 304 || status < 200;
  const fixed = body === null || typeof body === 'string' || body instanceof Uint8Array;
  for (const [k, v] of response.headers.items()) {
    const l = k.toLowerCase();
    if (l === 'connection' || l === 'transfer-encoding' || l === 'content-length') continue;
    head += `${k}: ${v}\r\n`;
  }
  const bytes =
    body === null
      ? new Uint8Array(0)
      : typeof body === 'string'
        ? encoder.encode(body)
        : (body as Uint8Array);
  if (fixed && !noBody) head += `Content-Length: ${bytes.byteLength}\r\n`;
  head += 'Connection: close\r\n\r\n';
  socket.write(Buffer.from(head, 'latin1'));
  if (!noBody) {
    if (fixed) {
      if (bytes.byteLength) socket.write(bytes);
    } else {
      // close-delimited: the connection ends with the body
      for await (const chunk of toAsyncIterable(body as AsyncIterable<Uint8Array | string>)) {
        if (socket.destroyed) break;
        const c = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
        if (!socket.write(c)) await drainOrClose(socket);
      }
    }
  }
  socket.end();
}

function onSocketError(): void {
  // the socket is closed by its owner; an error here must not crash the process
}

/** Connects a request's signal to the socket's close. */
function setupUpgrade(req: BaseRequest, socket: Duplex): void {
  req._attachAbort = (ac) => {
    if (socket.destroyed) ac.abort(new Error('The client closed the connection.'));
    else socket.once('close', () => ac.abort(new Error('The client closed the connection.')));
  };
}

/**
 * A node `upgrade` listener for the app: `server.on('upgrade', app.handleUpgrade)`. `app.listen`
 * installs it when the app has WebSocket routes.
 */
export function createUpgradeHandler(
  app: Phial,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', onSocketError);
    void handle(app, req, socket, head);
  };
}

async function handle(app: Phial, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let result: UpgradeResult;
  try {
    result = await runUpgrade(app, req, setupUpgrade, socket);
  } catch (e) {
    // propagated (TESTING/DEBUG) or a bug: log once, answer 500
    if (!isHTTPException(e)) app.logger.error('Exception while handling an upgrade request', e);
    const response = fallbackResponse(app, e);
    await writeRaw(socket, response, req.method ?? 'GET').catch(() => socket.destroy());
    upgradeAnswered(req, response.status);
    return;
  }
  if (!result.accepted) {
    try {
      await writeRaw(socket, result.response, req.method ?? 'GET');
    } catch {
      socket.destroy();
    }
    upgradeAnswered(req, result.response.status);
    await finishRefused(app, result);
    return;
  }
  const route = result.state.route;
  if (route === null || socket.destroyed || !socket.writable) {
    socket.destroy();
    await finishRefused(app, result);
    return;
  }
  if (result.setCookies.length) handshakeCookies.set(req, result.setCookies);
  protocolFor.set(req, result.state.protocol);
  const wss = wsServerFor(app, route.maxPayload);
  let started = false;
  // ws gives up without calling back when the client already went: teardown still runs
  socket.once('close', () => {
    if (!started) void finishRefused(app, result);
  });
  wss.handleUpgrade(req, socket, head, (client) => {
    started = true;
    socket.off('error', onSocketError);
    upgradeAnswered(req, 101);
    startSession(app, result, new WsTransport(client));
  });
}
