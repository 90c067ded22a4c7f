import { describe, expect, it } from 'vitest';
import type { Phial } from '../../src/app/phial.js';
import {
  ANY,
  appcontextPopped,
  appcontextPushed,
  appcontextTearingDown,
  beforeRenderTemplate,
  gotRequestException,
  messageFlashed,
  Namespace,
  requestFinished,
  requestStarted,
  requestTearingDown,
  Signal,
  templateRendered,
} from '../../src/app/signals.js';

type Extra = { n: number };

describe('Signal', () => {
  it('calls receivers in order and returns [receiver, result] pairs', () => {
    const sig = new Signal<string, Extra>('test');
    expect(sig.hasReceivers).toBe(false);
    const a = (s: string, e: Extra) => `${s}:a${e.n}`;
    const b = (s: string, e: Extra) => `${s}:b${e.n}`;
    sig.connect(a);
    sig.connect(b);
    expect(sig.hasReceivers).toBe(true);
    expect(sig.send('app', { n: 1 })).toEqual([
      [a, 'app:a1'],
      [b, 'app:b1'],
    ]);
  });

  it('filters by sender', () => {
    const sig = new Signal<object, Extra>('test');
    const app1 = {};
    const app2 = {};
    const calls: string[] = [];
    sig.connect(() => calls.push('any'));
    sig.connect(() => calls.push('one'), app1);
    sig.send(app1, { n: 0 });
    sig.send(app2, { n: 0 });
    expect(calls).toEqual(['any', 'one', 'any']);
    expect(sig.hasReceiversFor(app2)).toBe(true);
    expect(sig.receiversFor(app2)).toHaveLength(1);
  });

  it('connect returns a disconnect function and ignores duplicates', () => {
    const sig = new Signal<null, Extra>('test');
    let count = 0;
    const fn = () => count++;
    const off = sig.connect(fn);
    sig.connect(fn);
    sig.send(null, { n: 0 });
    expect(count).toBe(1);
    off();
    sig.send(null, { n: 0 });
    expect(count).toBe(1);
    expect(sig.hasReceivers).toBe(false);
  });

  it('disconnect without sender removes every connection of the receiver', () => {
    const sig = new Signal<string, Extra>('test');
    const fn = () => 1;
    sig.connect(fn, 'x');
    sig.connect(fn, ANY);
    sig.disconnect(fn, 'x');
    expect(sig.receiversFor('x')).toEqual([fn]);
    sig.disconnect(fn);
    expect(sig.hasReceivers).toBe(false);
  });

  it('a receiver disconnecting during send does not disturb the current send', () => {
    const sig = new Signal<null, Extra>('test');
    const calls: string[] = [];
    const b = () => calls.push('b');
    sig.connect(() => {
      calls.push('a');
      sig.disconnect(b);
    });
    sig.connect(b);
    sig.send(null, { n: 0 });
    sig.send(null, { n: 0 });
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('connectOnce fires once', () => {
    const sig = new Signal<null, Extra>('test');
    const seen: number[] = [];
    sig.connectOnce((_s, e) => seen.push(e.n));
    sig.send(null, { n: 1 });
    sig.send(null, { n: 2 });
    expect(seen).toEqual([1]);
  });

  it('errors in receivers propagate', () => {
    const sig = new Signal<null, Extra>('test');
    sig.connect(() => {
      throw new Error('boom');
    });
    expect(() => sig.send(null, { n: 0 })).toThrow('boom');
  });

  it('connectedTo disconnects on dispose; connectedDuring around sync and async bodies', async () => {
    const sig = new Signal<null, Extra>('test');
    const seen: number[] = [];
    const fn = (_s: null, e: Extra) => seen.push(e.n);
    const handle = sig.connectedTo(fn);
    sig.send(null, { n: 1 });
    handle[Symbol.dispose]();
    sig.send(null, { n: 2 });
    expect(seen).toEqual([1]);

    const r = sig.connectedDuring(fn, () => {
      sig.send(null, { n: 3 });
      return 'done';
    });
    expect(r).toBe('done');
    expect(sig.hasReceivers).toBe(false);

    await sig.connectedDuring(fn, async () => {
      await Promise.resolve();
      sig.send(null, { n: 4 });
    });
    expect(sig.hasReceivers).toBe(false);

    expect(() =>
      sig.connectedDuring(fn, () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    expect(sig.hasReceivers).toBe(false);
    expect(seen).toEqual([1, 3, 4]);

    // an already-connected receiver stays connected
    sig.connect(fn);
    sig.connectedTo(fn).disconnect();
    expect(sig.hasReceivers).toBe(true);
  });

  it('sendAsync awaits receivers', async () => {
    const sig = new Signal<null, Extra>('test');
    sig.connect(async (_s, e) => e.n * 2);
    const res = await sig.sendAsync(null, { n: 21 });
    expect(res[0]?.[1]).toBe(42);
  });

  it('Namespace reuses signals by name', () => {
    const ns = new Namespace();
    expect(ns.signal('a')).toBe(ns.signal('a'));
    expect(ns.signal('a')).not.toBe(ns.signal('b'));
  });

  it("exports Flask's named signals", () => {
    const all = [
      templateRendered,
      beforeRenderTemplate,
      requestStarted,
      requestFinished,
      requestTearingDown,
      gotRequestException,
      appcontextTearingDown,
      appcontextPushed,
      appcontextPopped,
      messageFlashed,
    ];
    expect(all.map((s) => s.name)).toEqual([
      'template-rendered',
      'before-render-template',
      'request-started',
      'request-finished',
      'request-tearing-down',
      'got-request-exception',
      'appcontext-tearing-down',
      'appcontext-pushed',
      'appcontext-popped',
      'message-flashed',
    ]);
    const got: string[] = [];
    const off = messageFlashed.connect((_app, e) => got.push(`${e.category}:${e.message}`));
    messageFlashed.send({} as Phial, { message: 'hi', category: 'info' });
    off();
    expect(got).toEqual(['info:hi']);
  });
});
