import { describe, expect, it } from 'vitest';
import * as phial from '../src/index.js';

describe('public surface', () => {
  it('exports the names API.md promises', () => {
    const names = [
      'Phial',
      'Blueprint',
      'Request',
      'Response',
      'Headers',
      'MultiDict',
      'FileStorage',
      'MIMEAccept',
      'request',
      'session',
      'g',
      'currentApp',
      'abort',
      'redirect',
      'urlFor',
      'jsonify',
      'makeResponse',
      'flash',
      'getFlashedMessages',
      'renderTemplate',
      'renderTemplateString',
      'streamTemplate',
      'sendFile',
      'sendFromDirectory',
      'streamWithContext',
      'afterThisRequest',
      'hasRequestContext',
      'hasAppContext',
      'Session',
      'NullSession',
      'SecureCookieSessionInterface',
      'Config',
      'View',
      'MethodView',
      'HTTPException',
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'NotFound',
      'MethodNotAllowed',
      'NotAcceptable',
      'RequestTimeout',
      'Conflict',
      'Gone',
      'LengthRequired',
      'PreconditionFailed',
      'RequestEntityTooLarge',
      'UnsupportedMediaType',
      'RangeNotSatisfiable',
      'RequestedRangeNotSatisfiable',
      'UnprocessableEntity',
      'TooManyRequests',
      'InternalServerError',
      'NotImplemented',
      'BadGateway',
      'ServiceUnavailable',
      'UrlMap',
      'Rule',
      'BuildError',
      'TestClient',
      'TestResponse',
      'signals',
      'requestStarted',
    ];
    const missing = names.filter((n) => (phial as Record<string, unknown>)[n] === undefined);
    expect(missing).toEqual([]);
  });

  it('an app has the documented members', () => {
    const app = new phial.Phial(import.meta.url, { staticFolder: null });
    for (const m of [
      'route',
      'get',
      'post',
      'put',
      'patch',
      'delete',
      'head',
      'options',
      'addUrlRule',
      'endpoint',
      'beforeRequest',
      'afterRequest',
      'teardownRequest',
      'teardownAppcontext',
      'urlValuePreprocessor',
      'urlDefaults',
      'contextProcessor',
      'shellContextProcessor',
      'templateFilter',
      'templateTest',
      'templateGlobal',
      'errorHandler',
      'registerBlueprint',
      'run',
      'listen',
      'fetch',
      'testClient',
      'appContext',
      'testRequestContext',
      'urlFor',
      'makeResponse',
    ]) {
      expect(typeof (app as unknown as Record<string, unknown>)[m], m).toBe('function');
    }
    expect(typeof app.handler).toBe('function');
    expect(app.config.DEBUG).toBe(false);
    expect(app.extensions).toEqual({});
    expect(app.jinjaEnv).toBeDefined();
    app.debug = true;
    app.testing = true;
    app.secretKey = 's';
    expect([app.config.DEBUG, app.config.TESTING, app.config.SECRET_KEY]).toEqual([true, true, 's']);
  });
});
