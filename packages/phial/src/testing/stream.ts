/**
 * A streamed test response (`client.get(path, { stream: true })`): resolves once the head is ready and
 * reads the body as the app produces it: chunk by chunk, as server-sent events, or to its end.
 */
import type { Request } from '../app/request.js';
import type { Response } from '../http/response.js';
import { toAsyncIterable } from '../http/response.js';
import { safeHeaderValue } from '../http/security.js';

/** One server-sent event as a browser's EventSource would dispatch it. */
export interface ReceivedEvent {
  /** `message` unless the event named a type. */
  event: string;
  /** The data lines joined with `\n`. */
  data: string;
  /** The last event id seen so far (EventSource's `lastEventId`), or ''. */
  id: string;
  /** The `retry` value of this event, if any. */
  retry?: number;
}

const decoder = new TextDecoder();

/** Parses a `text/event-stream` byte stream (the WHATWG algorithm: fields, comments, blank-line dispatch). */
export async function* parseEventStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ReceivedEvent> {
  const utf8 = new TextDecoder('utf-8');
  let buf = '';
  let data: string[] = [];
  let type = '';
  let lastId = '';
  let retry: number | undefined;
  let first = true;
  const flushLine = function* (line: string): Generator<ReceivedEvent> {
    if (line === '') {
      if (data.length > 0) {
        const ev: ReceivedEvent = { event: type || 'message', data: data.join('\n'), id: lastId };
        if (retry !== undefined) ev.retry = retry;
        yield ev;
      }
      data = [];
      type = '';
      retry = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const i = line.indexOf(':');
    const field = i === -1 ? line : line.slice(0, i);
    let value = i === -1 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };
  for await (const chunk of chunks) {
    buf += utf8.decode(chunk, { stream: true });
    if (first && buf.length > 0) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      first = false;
    }
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buf);
      if (m === null) break;
      // a lone \r at the end may be the first half of \r\n: wait for the next chunk
      if (m[0] === '\r' && m.index === buf.length - 1) break;
      const line = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      yield* flushLine(line);
    }
  }
}

/** A response whose body is read as it is produced. Call `close()` to leave early (the app sees the client go). */
export class StreamingTestResponse implements AsyncIterable<Uint8Array> {
  /** Status code. */
  readonly status: number;
  /** Reason phrase. */
  readonly statusText: string;
  /** Fetch-style headers. */
  readonly headers: globalThis.Headers;
  /** The Phial Request that was dispatched. */
  readonly request: Request;
  /** The Phial Response the app produced. */
  readonly response: Response;
  private readonly it: AsyncIterator<Uint8Array | string>;
  /** The first chunk, asked for as soon as the head is ready. */
  private first: Promise<IteratorResult<Uint8Array | string>> | null = null;
  private closed = false;
  private readonly abort: AbortController;

  /** @internal */
  constructor(response: Response, request: Request, abort: AbortController, empty: boolean) {
    this.response = response;
    this.request = request;
    this.abort = abort;
    this.status = response.status;
    this.statusText = safeHeaderValue(response.statusText);
    const h = new globalThis.Headers();
    for (const [k, v] of response.headers.items()) h.append(k, v);
    this.headers = h;
    const body = response._body;
    if (empty || body === null) this.it = (async function* () {})();
    else if (typeof body === 'string' || body instanceof Uint8Array)
      this.it = (async function* () {
        yield body;
      })();
    else {
      this.it = toAsyncIterable(body)[Symbol.asyncIterator]();
      // a server starts pulling the body once the head is out: so does the test client, so that an event
      // stream's producer (or a generator's first step) runs before the test reads, as it would on the wire
      this.first = this.it.next();
      this.first.catch(() => {
        // reported to the reader by read()
      });
    }
  }

  /** The next chunk of the body, or undefined at its end. */
  async read(): Promise<Uint8Array | undefined> {
    if (this.closed) return undefined;
    const first = this.first;
    this.first = null;
    const r = await (first ?? this.it.next());
    if (r.done) {
      await this.finish();
      return undefined;
    }
    return typeof r.value === 'string' ? new TextEncoder().encode(r.value) : r.value;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /** The body parsed as server-sent events. */
  events(): AsyncGenerator<ReceivedEvent> {
    return parseEventStream(this);
  }

  /** Reads the rest of the body as UTF-8 text. */
  async text(): Promise<string> {
    let out = '';
    for await (const chunk of this) out += decoder.decode(chunk, { stream: true });
    return out + decoder.decode();
  }

  /** Stops reading: the app's stream is ended and its request signal aborts, as when a client disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('The client closed the connection.'));
    try {
      await this.it.return?.();
    } finally {
      await this.response._close();
    }
  }

  private async finish(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.response._close();
  }
}
