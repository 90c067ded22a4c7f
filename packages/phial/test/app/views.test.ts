import { describe, expect, it } from 'vitest';
import { Request } from '../../src/app/request.js';
import type { ViewFunction } from '../../src/app/types.js';
import { MethodView, View, type ViewDecorator } from '../../src/app/views.js';
import { MethodNotAllowed } from '../../src/http/exceptions.js';
import type { RawRequest } from '../../src/http/request.js';

function req(method: string, path = '/'): Request {
  const raw: RawRequest = {
    method,
    url: path,
    headers: { host: 'localhost' },
    async *[Symbol.asyncIterator]() {},
  };
  return new Request(raw, {});
}

describe('View', () => {
  it('asView makes a named view function carrying the class', () => {
    class Hello extends View {
      dispatchRequest(r: Request) {
        return `hello ${r.method}`;
      }
    }
    const view = Hello.asView('hello');
    expect(view.name).toBe('hello');
    expect(view.viewClass).toBe(Hello);
    expect(view.methods).toBeNull();
    expect(view(req('GET'))).toBe('hello GET');
  });

  it('passes class arguments and builds an instance per request by default', () => {
    const instances: unknown[] = [];
    class Greeter extends View {
      constructor(readonly greeting: string) {
        super();
        instances.push(this);
      }
      dispatchRequest() {
        return this.greeting;
      }
    }
    const view = Greeter.asView('greet', 'hi');
    expect(view(req('GET'))).toBe('hi');
    expect(view(req('GET'))).toBe('hi');
    expect(instances).toHaveLength(2);
  });

  it('initEveryRequest = false shares one instance made at asView time', () => {
    let made = 0;
    class Counter extends View {
      static override initEveryRequest = false;
      count = 0;
      constructor() {
        super();
        made++;
      }
      dispatchRequest() {
        return String(++this.count);
      }
    }
    const view = Counter.asView('counter');
    expect(made).toBe(1);
    expect(view(req('GET'))).toBe('1');
    expect(view(req('GET'))).toBe('2');
    expect(made).toBe(1);
  });

  it('applies decorators in order and keeps the name and attributes', () => {
    const tag =
      (t: string): ViewDecorator =>
      (inner) =>
      (r) =>
        `${t}(${String(inner(r))})`;
    class Deco extends View {
      static override methods = ['GET', 'POST'];
      static override decorators = [tag('a'), tag('b')];
      static override provideAutomaticOptions = false;
      dispatchRequest() {
        return 'x';
      }
    }
    const view = Deco.asView('deco');
    expect(view(req('GET'))).toBe('b(a(x))');
    expect(view.name).toBe('deco');
    expect(view.methods).toEqual(['GET', 'POST']);
    expect(view.provideAutomaticOptions).toBe(false);
    expect(view.viewClass).toBe(Deco);
  });

  it('accepts decorators typed with ViewFunction', () => {
    function loginRequired(view: ViewFunction): ViewFunction {
      return (r) => (r.headers.get('x-user') ? view(r) : 'login first');
    }
    class Secret extends View {
      static override decorators = [loginRequired];
      dispatchRequest() {
        return 'secret';
      }
    }
    expect(Secret.asView('secret')(req('GET'))).toBe('login first');
  });

  it('supports async dispatch', async () => {
    class Later extends View {
      async dispatchRequest() {
        return 'later';
      }
    }
    await expect(Later.asView('later')(req('GET'))).resolves.toBe('later');
  });
});

describe('MethodView', () => {
  class UserApi extends MethodView {
    get(r: Request) {
      return { method: r.method, action: 'list' };
    }
    post() {
      return { action: 'create' };
    }
    delete() {
      return 'deleted';
    }
  }

  it('derives methods from the handlers it defines', () => {
    expect(UserApi.methods).toEqual(['GET', 'POST', 'DELETE']);
    const view = UserApi.asView('users');
    expect(view.methods).toEqual(['GET', 'POST', 'DELETE']);
    expect(MethodView.methods).toBeUndefined();
  });

  it('dispatches on the request method; HEAD falls back to get', () => {
    const view = UserApi.asView('users');
    expect(view(req('GET'))).toEqual({ method: 'GET', action: 'list' });
    expect(view(req('POST'))).toEqual({ action: 'create' });
    expect(view(req('DELETE'))).toBe('deleted');
    expect(view(req('HEAD'))).toEqual({ method: 'HEAD', action: 'list' });
  });

  it('an unimplemented method is 405 with Allow', () => {
    const view = UserApi.asView('users');
    try {
      view(req('PUT'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MethodNotAllowed);
      expect((e as MethodNotAllowed).code).toBe(405);
      expect((e as MethodNotAllowed).headers?.Allow).toBe('GET, POST, DELETE');
    }
    expect(() => view(req('CONSTRUCTOR'))).toThrow(MethodNotAllowed);
  });

  it('inherits handlers and lets a class set methods explicitly', () => {
    class AdminApi extends UserApi {
      put() {
        return 'replaced';
      }
    }
    expect(AdminApi.methods).toEqual(['GET', 'POST', 'PUT', 'DELETE']);
    expect(AdminApi.asView('admin')(req('PUT'))).toBe('replaced');
    class ReadOnly extends UserApi {
      static override methods = ['GET'];
    }
    expect(ReadOnly.methods).toEqual(['GET']);
    expect(UserApi.methods).toEqual(['GET', 'POST', 'DELETE']);
    class Later extends MethodView {
      get() {
        return 'g';
      }
    }
    Later.methods = ['GET', 'OPTIONS'];
    expect(Later.methods).toEqual(['GET', 'OPTIONS']);
    expect(MethodView.methods).toBeUndefined();
  });

  it('an explicit head handler wins over get', () => {
    class H extends MethodView {
      get() {
        return 'get';
      }
      head() {
        return 'head';
      }
    }
    expect(H.asView('h')(req('HEAD'))).toBe('head');
    expect(H.methods).toEqual(['GET', 'HEAD']);
  });
});
