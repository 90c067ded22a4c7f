/** Types of the body API: `req.loadBody()`, `req.maxContentLength`, the route option, FileStorage.spooled, the config keys. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { contextMechanism, type FileStorage, Phial, type Request } from '../../src/index.js';

describe('body API types', () => {
  it('loadBody, maxContentLength, bodyLoaded', () => {
    expectTypeOf<Request['loadBody']>().toEqualTypeOf<() => Promise<void>>();
    expectTypeOf<Request['maxContentLength']>().toEqualTypeOf<number | null>();
    expectTypeOf<Request['bodyLoaded']>().toEqualTypeOf<boolean>();
    expectTypeOf<FileStorage['spooled']>().toEqualTypeOf<boolean>();
    expectTypeOf(contextMechanism).returns.toEqualTypeOf<'als' | 'promise-hooks'>();
  });

  it('the route option and the config keys', () => {
    const app = new Phial('types');
    app.post('/up', { maxContentLength: 16 * 2 ** 20 }, (req) => {
      req.maxContentLength = 10;
      return String(req.files.get('f')?.size);
    });
    app.post('/any', { maxContentLength: null }, () => 'ok');
    // @ts-expect-error a limit is a number or null
    app.post('/bad', { maxContentLength: '1MB' }, () => 'no');
    expectTypeOf(app.config.MAX_BODY_MEMORY_SIZE).toEqualTypeOf<number | null>();
    expectTypeOf(app.config.MAX_FILE_MEMORY_SIZE).toEqualTypeOf<number | null>();
    expectTypeOf(app.config.BODY_TIMEOUT).toEqualTypeOf<number | null>();
    expectTypeOf(app.config.BODY_MIN_RATE).toEqualTypeOf<number | null>();
    expect(app.urlMap.rules().length).toBeGreaterThan(0);
  });
});
