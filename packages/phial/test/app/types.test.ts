import { describe, expectTypeOf, it } from 'vitest';
import { Blueprint, g, Phial, type Request, type Session, session } from '../../src/index.js';

declare module '../../src/index.js' {
  interface AppGlobals {
    userId?: number;
  }
  interface SessionData {
    theme?: 'dark' | 'light';
  }
}

describe('route parameter types', () => {
  it('are inferred from the rule string', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/u/<int:id>/<name>', (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ id: number; name: string }>();
      return 'x';
    });
    app.route('/f/<float:x>/<path:rest>/<any(a, b):kind>', (req) => {
      expectTypeOf(req.params.x).toEqualTypeOf<number>();
      expectTypeOf(req.params.rest).toEqualTypeOf<string>();
      expectTypeOf(req.params.kind).toEqualTypeOf<'a' | 'b'>();
      return 'x';
    });
    app.post('/plain', { endpoint: 'plain' }, (req) => {
      expectTypeOf(req).toMatchTypeOf<Request>();
      return { ok: true };
    });
    const bp = new Blueprint('bp', import.meta.url);
    bp.get('/item/<int(min=1):n>', (req) => {
      expectTypeOf(req.params.n).toEqualTypeOf<number>();
      return [req.params.n];
    });
  });

  it('g and session are typed by augmentation', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.secretKey = 'k';
    await app.testRequestContext('/', (req) => {
      expectTypeOf(g.userId).toEqualTypeOf<number | undefined>();
      expectTypeOf(session.get('theme')).toEqualTypeOf<'dark' | 'light' | undefined>();
      expectTypeOf(req.session.get('theme')).toEqualTypeOf<'dark' | 'light' | undefined>();
      expectTypeOf(session).toMatchTypeOf<Session>();
    });
  });

  it('views must return a response value', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    // @ts-expect-error a number is not a response value
    app.get('/n', () => 42);
    // @ts-expect-error undefined is not a response value
    app.get('/u', () => undefined);
    app.get('/ok', async () => new Uint8Array(1));
  });
});
