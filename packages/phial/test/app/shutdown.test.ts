/** `app.onShutdown` / `app.shutdown()`: last added first, each awaited, errors logged, bounded by a timeout. */
import { expect, it, vi } from 'vitest';
import { Phial } from '../../src/index.js';

it('runs the shutdown functions last added first, each awaited, once', async () => {
  const app = new Phial(import.meta.url, { staticFolder: null });
  const order: string[] = [];
  app.onShutdown(async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('pool closed');
  });
  const flush = app.onShutdown(() => {
    order.push('telemetry flushed');
  });
  expect(typeof flush).toBe('function');
  await app.shutdown();
  expect(order).toEqual(['telemetry flushed', 'pool closed']);
  await app.shutdown();
  expect(order).toHaveLength(2);
});

it('logs a function that throws and still runs the others; stops waiting after the timeout', async () => {
  const app = new Phial(import.meta.url, { staticFolder: null });
  const errors = vi.spyOn(app.logger, 'error').mockImplementation(() => undefined);
  const warnings = vi.spyOn(app.logger, 'warn').mockImplementation(() => undefined);
  let ran = false;
  app.onShutdown(() => new Promise(() => {})); // never settles
  app.onShutdown(() => {
    ran = true;
  });
  app.onShutdown(() => {
    throw new Error('pool already gone');
  });
  const started = Date.now();
  await app.shutdown(100);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(ran).toBe(true);
  expect(String(errors.mock.calls[0]?.[1])).toContain('pool already gone');
  expect(String(warnings.mock.calls[0]?.[0])).toContain('still running after 100 ms');
});
