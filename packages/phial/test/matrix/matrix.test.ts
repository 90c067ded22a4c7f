/**
 * One behaviour matrix, every adapter: the same app and the same requests through the test client,
 * `app.fetch`, node:http (`app.handler`), Phial's own server (`app.listen`), and `app.fetch` served by
 * Bun and Deno (real runtimes from the npm packages, over real sockets). What an adapter cannot do by
 * nature is listed in the case's `skip` with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksum, makeMatrixApp, streamStats } from './app.js';
import { type AdapterName, CASES, type Expected, type Seen } from './cases.js';
import {
  clientDriver,
  type Driver,
  fetchDriver,
  nodeDriver,
  phialDriver,
  phialObservedDriver,
  removeBundle,
  runtimeAvailable,
  runtimeDriver,
} from './drivers.js';

const decoder = new TextDecoder();

function check(seen: Seen, want: Expected): void {
  expect(seen.status).toBe(want.status);
  if (want.statusText !== undefined) expect(seen.statusText).toBe(want.statusText);
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const got = seen.headers[name];
    if (value === null) expect(got, `header ${name}`).toBeUndefined();
    else if (value instanceof RegExp) expect(got, `header ${name}`).toMatch(value);
    else expect(got, `header ${name}`).toBe(value);
  }
  if (want.setCookies !== undefined) {
    expect(seen.setCookies).toHaveLength(want.setCookies.length);
    for (const [i, re] of want.setCookies.entries()) expect(seen.setCookies[i]).toMatch(re);
  }
  const body = want.body;
  if (typeof body === 'string') expect(decoder.decode(seen.body)).toBe(body);
  else if (body instanceof RegExp) expect(decoder.decode(seen.body)).toMatch(body);
  else if (body !== undefined) {
    expect(seen.body.byteLength).toBe(body.size);
    expect(checksum(seen.body)).toBe(body.sum);
  }
  if (want.json !== undefined) expect(JSON.parse(decoder.decode(seen.body))).toEqual(want.json);
}

type Make = () => Driver | Promise<Driver>;

const ADAPTERS: [AdapterName, Make, boolean][] = [
  ['client', () => clientDriver(makeMatrixApp()), true],
  ['fetch', () => fetchDriver(makeMatrixApp()), true],
  ['node', () => nodeDriver(makeMatrixApp()), true],
  ['phial', () => phialDriver(makeMatrixApp()), true],
  ['phial-observed', () => phialObservedDriver(makeMatrixApp()), true],
  ['bun', () => runtimeDriver('bun'), runtimeWanted('bun')],
  ['deno', () => runtimeDriver('deno'), runtimeWanted('deno')],
];

/**
 * Bun and Deno are dev dependencies (their npm packages ship the binaries), so they run wherever the
 * repository was installed; `PHIAL_SKIP_RUNTIMES=1` skips them on a platform the packages do not cover.
 */
function runtimeWanted(name: 'bun' | 'deno'): boolean {
  if (process.env.PHIAL_SKIP_RUNTIMES === '1') return false;
  if (!runtimeAvailable(name)) {
    throw new Error(`${name} is not installed (npm install), or set PHIAL_SKIP_RUNTIMES=1 to skip it.`);
  }
  return true;
}

afterAll(() => removeBundle());

describe.each(ADAPTERS)('matrix through %s', (name, make, available) => {
  let driver: Driver;
  beforeAll(async () => {
    if (available) driver = await make();
  }, 60_000);
  afterAll(async () => {
    await driver?.close();
  });

  for (const c of CASES) {
    const reason = c.skip?.[name];
    it.skipIf(!available || reason !== undefined)(c.name, async () => {
      check(await driver.send(c.request), c.expect);
    });
  }

  it.skipIf(!available)('the session cookie carries a value to the next request', async () => {
    const set = await driver.send({ path: '/session/set/s%C3%BCss' });
    expect(set.status).toBe(200);
    expect(set.setCookies).toHaveLength(1);
    const cookie = (set.setCookies[0] as string).split(';')[0] as string;
    expect(cookie).toMatch(/^session=/);
    const got = await driver.send({ path: '/session/get', headers: { cookie } });
    expect(decoder.decode(got.body)).toBe('value=süss');
    const none = await driver.send({ path: '/session/get' });
    expect(decoder.decode(none.body)).toBe('value=none');
  });

  it.skipIf(!available)(
    'every case again, on the same connection, in one go: no answer bleeds into the next',
    async () => {
      for (const c of CASES) if (c.skip?.[name] === undefined) check(await driver.send(c.request), c.expect);
    },
  );
});

describe('streams that are not sent', () => {
  it('HEAD and the null-body statuses never start a stream body (every adapter in this process)', async () => {
    for (const make of [clientDriver, fetchDriver, nodeDriver, phialDriver]) {
      const driver = await make(makeMatrixApp());
      try {
        const before = { ...streamStats };
        expect((await driver.send({ method: 'HEAD', path: '/stream' })).body.byteLength).toBe(0);
        for (const code of [204, 205, 304]) {
          expect((await driver.send({ path: `/status-stream/${code}` })).status).toBe(code);
        }
        expect(streamStats.views - before.views).toBe(1);
        expect(streamStats.produced - before.produced, driver.name).toBe(0);
        await driver.send({ path: '/stream' });
        expect(streamStats.produced - before.produced).toBe(1);
      } finally {
        await driver.close();
      }
    }
  });
});
