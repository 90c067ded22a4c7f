/** Phial: a Flask-style micro web framework for TypeScript. The public surface (re-exports only). */

export const VERSION = '0.1.0';

// The app
export { Phial, hostIsTrusted } from './app/phial.js';
export type { Extension, PhialOptions, UrlBuildErrorHandler, UrlForValues } from './app/phial.js';
export { Blueprint, BlueprintSetupState } from './app/blueprint.js';
export type { BlueprintOptions, BlueprintRegisterOptions } from './app/blueprint.js';
export { Scaffold } from './app/scaffold.js';
export type { RouteOptions, UrlRuleOptions } from './app/scaffold.js';
export type {
  AfterRequestFunction,
  BeforeRequestFunction,
  ErrorClass,
  ErrorHandler,
  ResponseReturnValue,
  ShellContextProcessor,
  TeardownFunction,
  TemplateCallable,
  TemplateContextProcessor,
  UrlDefaultFunction,
  UrlValuePreprocessor,
  ViewAttributes,
  ViewFunction,
} from './app/types.js';
export type { Logger } from './app/logging.js';

// Contexts and globals
export { currentApp, g, request, session } from './app/globals.js';
export { AppContext, AppCtxGlobals, RequestContext, copyCurrentRequestContext, hasAppContext, hasRequestContext } from './app/context.js';
export type { AppGlobals, G } from './app/context.js';

// Helpers
export { abort, afterThisRequest, jsonify, makeResponse, redirect, streamWithContext, urlFor } from './app/helpers.js';
export { flash, getFlashedMessages } from './app/flash.js';
export type { FlashMessage, GetFlashedMessagesOptions } from './app/flash.js';
export { sendFile, sendFromDirectory } from './app/files.js';
export type { SendFileOptions } from './app/files.js';

// Sessions, config, JSON, signals, class-based views
export { NullSession, SecureCookieSessionInterface, Session } from './app/sessions.js';
export type { SessionData, SessionInterface } from './app/sessions.js';
export { TaggedJSONSerializer } from './app/tag.js';
export { Config, defaultConfig } from './app/config.js';
export type { ConfigValues } from './app/config.js';
export { DefaultJSONProvider } from './app/json.js';
export type { JSONProvider } from './app/json.js';
export * as signals from './app/signals.js';
export {
  Namespace,
  Signal,
  appcontextPopped,
  appcontextPushed,
  appcontextTearingDown,
  beforeRenderTemplate,
  gotRequestException,
  messageFlashed,
  requestFinished,
  requestStarted,
  requestTearingDown,
  templateRendered,
} from './app/signals.js';
export { MethodView, View } from './app/views.js';

// HTTP toolkit
export { Request, parseAuthorization } from './http/request.js';
export type { Authorization, GetJsonOptions, RawRequest } from './http/request.js';
export { Response } from './http/response.js';
export type { ResponseBody, ResponseInit } from './http/response.js';
export type { CookieOptions } from './http/cookies.js';
export {
  Accept,
  CharsetAccept,
  FileStorage,
  Headers,
  LanguageAccept,
  MIMEAccept,
  MultiDict,
} from './http/datastructures/index.js';
export type { HeadersInit } from './http/datastructures/index.js';
export {
  BadGateway,
  BadHost,
  BadRequest,
  BadRequestKeyError,
  ClientDisconnected,
  Conflict,
  ExpectationFailed,
  FailedDependency,
  Forbidden,
  GatewayTimeout,
  Gone,
  HTTPException,
  HTTPVersionNotSupported,
  ImATeapot,
  InternalServerError,
  LengthRequired,
  Locked,
  MethodNotAllowed,
  MisdirectedRequest,
  NotAcceptable,
  NotFound,
  NotImplemented,
  PreconditionFailed,
  PreconditionRequired,
  RangeNotSatisfiable,
  RequestEntityTooLarge,
  RequestHeaderFieldsTooLarge,
  RequestRedirect,
  RequestTimeout,
  RequestURITooLarge,
  RequestedRangeNotSatisfiable,
  SecurityError,
  ServiceUnavailable,
  TooManyRequests,
  UnavailableForLegalReasons,
  UnprocessableEntity,
  UnsupportedMediaType,
  exceptionForCode,
  isHTTPException,
} from './http/exceptions.js';
export {
  AnyConverter,
  BaseConverter,
  BuildError,
  FloatConverter,
  IntegerConverter,
  MapAdapter,
  PathConverter,
  Rule,
  StringConverter,
  UUIDConverter,
  UrlMap,
  ValidationError,
} from './http/routing/index.js';
export type { Converter, ConverterClass, RouteParams, RuleOptions } from './http/routing/index.js';
export { BadSignature, BadTimeSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer } from './http/signing.js';

// Servers and testing
export { createNodeHandler, createNodeServer } from './server/node.js';
export type { RunOptions } from './server/devserver.js';
export { TestClient, TestResponse } from './testing/index.js';
export type { ClientRequestOptions, TestClientOptions, TestCookie, TestRequestOptions } from './testing/index.js';
