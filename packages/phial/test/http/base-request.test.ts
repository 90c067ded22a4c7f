/** The toolkit's request knows HTTP only; the app's Request extends it (Flask's wrappers over Werkzeug's). */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Request } from '../../src/app/request.js';
import { BaseRequest, type RawRequest } from '../../src/http/request.js';
import { BaseRequest as PublicBaseRequest, Request as PublicRequest } from '../../src/index.js';

function raw(url: string, headers: Record<string, string> = {}): RawRequest {
  return {
    method: 'get',
    url,
    headers: { host: 'example.com', ...headers },
    async *[Symbol.asyncIterator]() {},
  };
}

describe('BaseRequest (src/http) and Request (src/app)', () => {
  it('the toolkit request parses what the client sent and nothing about apps', () => {
    const req = new BaseRequest(raw('/a%20b?x=1&x=2', { cookie: 'k=v' }));
    expect([req.method, req.path, req.args.getAll('x'), req.cookies.k, req.url]).toEqual([
      'GET',
      '/a b',
      ['1', '2'],
      'v',
      'http://example.com/a%20b?x=1&x=2',
    ]);
    for (const appOnly of [
      'params',
      'endpoint',
      'urlRule',
      'blueprint',
      'blueprints',
      'session',
      'viewArgs',
    ]) {
      expect(appOnly in req, appOnly).toBe(false);
    }
  });

  it("the app's Request is a BaseRequest with params, endpoint and blueprint", () => {
    const req = new Request(raw('/u/7'), { id: 7 });
    req.endpoint = 'admin.users.show';
    expect(req).toBeInstanceOf(BaseRequest);
    expect([req.params.id, req.viewArgs.id, req.blueprint, req.blueprints]).toEqual([
      7,
      7,
      'admin.users',
      ['admin.users', 'admin'],
    ]);
    expect(() => req.session).toThrow('Working outside of request context.');
  });

  it('both are public, and Request<P> stays generic over its params', () => {
    expect(PublicRequest).toBe(Request);
    expect(PublicBaseRequest).toBe(BaseRequest);
    expectTypeOf<Request<{ id: number }>>().toMatchTypeOf<BaseRequest>();
    expectTypeOf<Request<{ id: number }>['params']>().toEqualTypeOf<{ id: number }>();
    expectTypeOf<Request['params']>().toEqualTypeOf<Record<string, unknown>>();
  });
});
