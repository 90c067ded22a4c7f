/**
 * Phial: a Flask-style micro web framework for TypeScript. The public surface (re-exports), and the one place
 * that composes the layers: it hands the app layer its synchronous ways in (`app.handler`, `app.testClient()`),
 * whose code lives in server/ and testing/ (see app/ways-in.ts).
 */
import { provideWaysIn } from './app/ways-in.js';
import { createNodeHandler } from './server/node.js';
import { createTestClient } from './testing/index.js';

provideWaysIn({ nodeHandler: createNodeHandler, testClient: createTestClient });

export const VERSION = '0.1.0';

export type { BlueprintOptions, BlueprintRegisterOptions } from './app/blueprint.js';
export { Blueprint, BlueprintSetupState } from './app/blueprint.js';
export type {
  BuiltinConfigValues,
  ConfigValues,
  FromEnvVarOptions,
  FromFileOptions,
  FromPrefixedEnvOptions,
  GetNamespaceOptions,
} from './app/config.js';
export { Config, defaultConfig } from './app/config.js';
export type { AppGlobals, G } from './app/context.js';
export {
  AppContext,
  AppCtxGlobals,
  contextMechanism,
  copyCurrentRequestContext,
  hasAppContext,
  hasRequestContext,
  RequestContext,
} from './app/context.js';
export type { SendFileOptions } from './app/files.js';
export { sendFile, sendFromDirectory } from './app/files.js';
export type { FlashMessage, GetFlashedMessagesOptions } from './app/flash.js';
export { flash, getFlashedMessages } from './app/flash.js';
export { currentApp, g, request, session } from './app/globals.js';

export {
  abort,
  afterThisRequest,
  jsonify,
  makeResponse,
  redirect,
  streamWithContext,
  urlFor,
} from './app/helpers.js';
export type { DumpsOptions, JSONProvider } from './app/json.js';
export { DefaultJSONProvider } from './app/json.js';
export type { Logger } from './app/logging.js';
export type {
  Extension,
  PhialOptions,
  UrlBuildErrorHandler,
  UrlForValues,
  WsgiApp,
} from './app/phial.js';
export { hostIsTrusted, Phial } from './app/phial.js';
export { Request } from './app/request.js';
export type { RouteOptions, UrlRuleOptions } from './app/scaffold.js';
export { Scaffold } from './app/scaffold.js';
export type { SessionCookieOptions, SessionData, SessionInterface } from './app/sessions.js';
export { NullSession, SecureCookieSessionInterface, Session } from './app/sessions.js';
export type { SignalMessage } from './app/signals.js';
export * as signals from './app/signals.js';
export {
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
} from './app/signals.js';
export { TaggedJSONSerializer } from './app/tag.js';
export type { TemplateContext } from './app/templating.js';
export {
  renderTemplate,
  renderTemplateAsync,
  renderTemplateString,
  streamTemplate,
  streamTemplateString,
} from './app/templating.js';
export type { HookTrace, RouteTrace, ViewTrace } from './app/tracing.js';
export type {
  AfterRequestFunction,
  BeforeRequestFunction,
  BodyChunk,
  ErrorClass,
  ErrorHandler,
  HTTPExceptionFor,
  JSONArray,
  JSONObject,
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
export type { ClassViewFunction, ViewClass, ViewDecorator, ViewResult } from './app/views.js';
export { MethodView, View } from './app/views.js';
export type { CookieOptions } from './http/cookies.js';
export type {
  AcceptItem,
  FileStorageInit,
  HeadersInit,
  MultiDictInit,
  ToObjectOptions,
} from './http/datastructures/index.js';
export {
  Accept,
  CharsetAccept,
  FileStorage,
  Headers,
  LanguageAccept,
  MIMEAccept,
  MultiDict,
  secureFilename,
} from './http/datastructures/index.js';
export {
  BadGateway,
  BadHost,
  BadRequest,
  BadRequestKeyError,
  ClientDisconnected,
  Conflict,
  defaultExceptions,
  ExpectationFailed,
  exceptionForCode,
  FailedDependency,
  Forbidden,
  GatewayTimeout,
  Gone,
  HTTPException,
  HTTPVersionNotSupported,
  ImATeapot,
  InternalServerError,
  isHTTPException,
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
  RequestedRangeNotSatisfiable,
  RequestHeaderFieldsTooLarge,
  RequestRedirect,
  RequestTimeout,
  RequestURITooLarge,
  SecurityError,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  UnavailableForLegalReasons,
  UnprocessableEntity,
  UnsupportedMediaType,
} from './http/exceptions.js';
export type { PasswordHashOptions } from './http/passwords.js';
export { checkPasswordHash, generatePasswordHash, genSalt } from './http/passwords.js';
export type { Authorization, GetJsonOptions, ProxyFixOptions, RawRequest } from './http/request.js';
export { BaseRequest, parseAuthorization } from './http/request.js';
export type { ResponseBody, ResponseInit } from './http/response.js';
export { Response } from './http/response.js';
export type {
  BuildOptions,
  Converter,
  ConverterClass,
  ConverterKwargs,
  MatchResult,
  RouteParams,
  RuleOptions,
  UrlMapOptions,
} from './http/routing/index.js';
export {
  AnyConverter,
  BaseConverter,
  BuildError,
  decodePathInfo,
  FloatConverter,
  IntegerConverter,
  MapAdapter,
  PathConverter,
  quotePath,
  Rule,
  StringConverter,
  UrlMap,
  UUIDConverter,
  ValidationError,
} from './http/routing/index.js';
export type {
  KeyDerivation,
  SecretKey,
  SerializerOptions,
  SignerOptions,
  TextSerializer,
  UnsignOptions,
} from './http/signing.js';
export {
  BadData,
  BadPayload,
  BadSignature,
  BadTimeSignature,
  SignatureExpired,
  Signer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from './http/signing.js';
export type { FileSource } from './http/static.js';
export { safeJoin } from './http/static.js';
export type {
  BroadcastEventsOptions,
  BroadcastOptions,
  BroadcastSubscription,
  BroadcastTransport,
} from './realtime/broadcast.js';
export { Broadcast, MemoryTransport } from './realtime/broadcast.js';
export type { ClusterRelayOptions, ClusterTransportOptions } from './realtime/cluster.js';
export { ClusterTransport, clusterRelay } from './realtime/cluster.js';
export { closeRealtimeConnections } from './realtime/live.js';
export type {
  EventSourceInput,
  EventStream,
  EventStreamOptions,
  ServerSentEvent,
} from './realtime/sse.js';
export { eventStream, formatComment, formatEvent } from './realtime/sse.js';
export { bunWebSocket } from './realtime/websocket/bun.js';
export type { WebSocketHandler, WebSocketOptions } from './realtime/websocket/route.js';
export type { WebSocketMessage } from './realtime/websocket/socket.js';
export { ServerWebSocket } from './realtime/websocket/socket.js';
export type { AccessLineEntry, RunOptions } from './server/devserver.js';
export type { AccessEntry, Http1ServerOptions } from './server/http1/index.js';
export { createHttp1Server } from './server/http1/index.js';
export type { ListenOptions, ServerKind } from './server/listen.js';
export { createAppServer } from './server/listen.js';
export { createNodeHandler, createNodeServer } from './server/node.js';
export type { CliInvokeOptions, CliResult, TestCliRunner } from './testing/cli-runner.js';
export type {
  ClientRequestOptions,
  ReceivedEvent,
  SetTestCookieOptions,
  StreamRequestOptions,
  TestClientOptions,
  TestCookie,
  TestRequestOptions,
  TestWebSocketOptions,
} from './testing/index.js';
export {
  StreamingTestResponse,
  TestClient,
  TestResponse,
  TestWebSocket,
  WebSocketClosed,
  WebSocketRefused,
} from './testing/index.js';
export type {
  AnySchema,
  DocRouteOptions,
  LocatedIssue,
  ResponseSchemas,
  RouteReturnValue,
  RouteView,
  SchemaInput,
  SchemaOutput,
  SchemaRouteOptions,
  SecurityRequirement,
  TypedRouteOptions,
  ValidatedRequest,
  ValidationDetail,
  ValidationLocation,
} from './validation/index.js';
export { RequestValidationError, ResponseValidationError } from './validation/index.js';
