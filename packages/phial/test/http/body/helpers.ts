/** Test helpers: bodies as async iterables of chunks, and hand-built multipart bodies. */
const enc = new TextEncoder();

export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** An async iterable yielding the given chunks; records how many were pulled and whether it was closed. */
export function chunked(
  chunks: (string | Uint8Array)[],
): AsyncIterable<Uint8Array> & { pulled: number; closed: boolean } {
  const src = {
    pulled: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (const c of chunks) {
          src.pulled++;
          yield typeof c === 'string' ? enc.encode(c) : c;
        }
      } finally {
        src.closed = true;
      }
    },
  };
  return src;
}

/** An endless body: chunks of `size` bytes forever (a limit must stop it). */
export function endless(size: number): AsyncIterable<Uint8Array> & { pulled: number } {
  const chunk = new Uint8Array(size).fill(0x61);
  const src = {
    pulled: 0,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        src.pulled++;
        yield chunk;
      }
    },
  };
  return src;
}

export interface Part {
  name?: string;
  filename?: string;
  contentType?: string;
  value: string | Uint8Array;
  headers?: string[];
}

/** Builds a multipart/form-data body by hand. */
export function multipart(
  parts: Part[],
  boundary = 'XyZzY-boundary',
): { body: Uint8Array; contentType: string } {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\n`;
    let disp = 'Content-Disposition: form-data';
    if (p.name !== undefined) disp += `; name="${p.name}"`;
    if (p.filename !== undefined) disp += `; filename="${p.filename}"`;
    head += `${disp}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    for (const h of p.headers ?? []) head += `${h}\r\n`;
    head += '\r\n';
    out.push(
      enc.encode(head),
      typeof p.value === 'string' ? enc.encode(p.value) : p.value,
      enc.encode('\r\n'),
    );
  }
  out.push(enc.encode(`--${boundary}--\r\n`));
  return { body: Buffer.concat(out), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Splits bytes into chunks of `size`. */
export function split(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}
