import * as jinja from '@phial/jinja';
import { describe, expect, it } from 'vitest';
import * as phial from '../src/index.js';

describe('public surface', () => {
  it('exports every name API.md promises (and the extras users reach for)', () => {
    const names = [
      // The app, requests, responses and data structures
      'Phial',
      'Blueprint',
      'BlueprintSetupState',
      'Request',
      'Response',
      'Headers',
      'MultiDict',
      'FileStorage',
      'Accept',
      'MIMEAccept',
      'LanguageAccept',
      'CharsetAccept',
      'Config',
      'defaultConfig',
      'View',
      'MethodView',
      'Scaffold',
      // Contexts and globals
      'request',
      'session',
      'g',
      'currentApp',
      'hasRequestContext',
      'hasAppContext',
      'copyCurrentRequestContext',
      'AppContext',
      'RequestContext',
      // Helpers
      'abort',
      'redirect',
      'urlFor',
      'jsonify',
      'makeResponse',
      'flash',
      'getFlashedMessages',
      'renderTemplate',
      'renderTemplateString',
      'renderTemplateAsync',
      'streamTemplate',
      'streamTemplateString',
      'sendFile',
      'sendFromDirectory',
      'streamWithContext',
      'afterThisRequest',
      'secureFilename',
      'safeJoin',
      // Sessions, JSON, signing
      'Session',
      'NullSession',
      'SecureCookieSessionInterface',
      'TaggedJSONSerializer',
      'DefaultJSONProvider',
      'Signer',
      'TimestampSigner',
      'URLSafeSerializer',
      'URLSafeTimedSerializer',
      'BadData',
      'BadPayload',
      'BadSignature',
      'BadTimeSignature',
      'SignatureExpired',
      // HTTP errors: API.md's list, then the rest of Werkzeug's
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
      'BadRequestKeyError',
      'ClientDisconnected',
      'SecurityError',
      'BadHost',
      'RequestURITooLarge',
      'ExpectationFailed',
      'ImATeapot',
      'MisdirectedRequest',
      'Locked',
      'FailedDependency',
      'PreconditionRequired',
      'RequestHeaderFieldsTooLarge',
      'UnavailableForLegalReasons',
      'GatewayTimeout',
      'HTTPVersionNotSupported',
      'RequestRedirect',
      'exceptionForCode',
      'defaultExceptions',
      'isHTTPException',
      // Routing
      'UrlMap',
      'MapAdapter',
      'Rule',
      'BuildError',
      'ValidationError',
      'BaseConverter',
      'StringConverter',
      'IntegerConverter',
      'FloatConverter',
      'PathConverter',
      'UUIDConverter',
      'AnyConverter',
      'decodePathInfo',
      'quotePath',
      // Signals
      'signals',
      'Signal',
      'Namespace',
      'requestStarted',
      'requestFinished',
      'requestTearingDown',
      'gotRequestException',
      'appcontextTearingDown',
      'appcontextPushed',
      'appcontextPopped',
      'templateRendered',
      'beforeRenderTemplate',
      'messageFlashed',
      // Testing and serving
      'TestClient',
      'TestResponse',
      'createNodeHandler',
      'createNodeServer',
      'parseAuthorization',
      'VERSION',
    ];
    const exported = phial as Record<string, unknown>;
    const missing = names.filter((n) => exported[n] === undefined);
    expect(missing).toEqual([]);
    const HTTP_ERRORS = names.slice(names.indexOf('HTTPException'), names.indexOf('RequestRedirect'));
    for (const n of HTTP_ERRORS) {
      const cls = exported[n] as abstract new (...args: never[]) => unknown;
      expect(cls.prototype instanceof phial.HTTPException || cls === phial.HTTPException, n).toBe(true);
    }
    // Every registered error class is exported under its own name.
    for (const cls of phial.defaultExceptions.values()) expect(exported[cls.name], cls.name).toBe(cls);
  });

  it('the template names API.md places in @phial/jinja are exported there', () => {
    const names = [
      'Environment',
      'SandboxedEnvironment',
      'Template',
      'FileSystemLoader',
      'DictLoader',
      'ChoiceLoader',
      'PrefixLoader',
      'FunctionLoader',
      'Markup',
      'escape',
      'Undefined',
      'StrictUndefined',
      'ChainableUndefined',
      'TemplateSyntaxError',
      'TemplateNotFound',
      'UndefinedError',
      'TemplateAssertionError',
      'TemplateRuntimeError',
    ];
    const exported = jinja as Record<string, unknown>;
    expect(names.filter((n) => exported[n] === undefined)).toEqual([]);
  });

  it('the extras behave: secureFilename, safeJoin, Signer, TimestampSigner, decodePathInfo', () => {
    expect(phial.secureFilename('../../etc/passwd')).toBe('etc_passwd');
    expect(phial.safeJoin('/srv/static', 'css/site.css')).toBe('/srv/static/css/site.css');
    expect(phial.safeJoin('/srv/static', '../secret')).toBeNull();
    const signer = new phial.Signer('secret');
    const signed = signer.sign('value');
    expect(signer.unsign(signed).toString()).toBe('value');
    expect(() => signer.unsign(`${signed}x`)).toThrow(phial.BadSignature);
    expect(new phial.BadSignature('x')).toBeInstanceOf(phial.BadData);
    const ts = new phial.TimestampSigner('secret');
    expect(ts.unsign(ts.sign('v')).toString()).toBe('v');
    expect(phial.decodePathInfo('/a%20b')).toBe('/a b');
  });

  it('the documented types are exported', () => {
    // A compile-time check: each import below fails `tsc` if the type is not exported.
    type Names = [
      phial.AppGlobals,
      phial.SessionData,
      phial.ResponseReturnValue,
      phial.JSONObject,
      phial.JSONArray,
      phial.BodyChunk,
      phial.ViewFunction,
      phial.ViewAttributes,
      phial.BeforeRequestFunction,
      phial.AfterRequestFunction,
      phial.ErrorHandler,
      phial.TeardownFunction,
      phial.RouteOptions,
      phial.UrlRuleOptions,
      phial.RouteParams<'/<int:id>'>,
      phial.BlueprintOptions,
      phial.BlueprintRegisterOptions,
      phial.PhialOptions,
      phial.Extension,
      phial.CookieOptions,
      phial.SendFileOptions,
      phial.RunOptions,
      phial.TestRequestOptions,
      phial.ClientRequestOptions,
      phial.TestCookie,
      phial.SetTestCookieOptions,
      phial.SignerOptions,
      phial.Converter,
      phial.ConverterClass,
      phial.ConfigValues,
      phial.GetFlashedMessagesOptions,
      phial.FlashMessage,
      phial.ClassViewFunction,
      phial.HeadersInit,
    ];
    const count: Names['length'] = 34;
    expect(count).toBe(34);
    const params: phial.RouteParams<'/<int:id>'> = { id: 1 };
    expect(params.id).toBe(1);
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
