/** The HTTP data structures (Werkzeug's `datastructures`): one import for the request and app layers. */

export {
  Accept,
  type AcceptClass,
  type AcceptItem,
  CharsetAccept,
  LanguageAccept,
  MIMEAccept,
} from './accept.js';
export { FileStorage, type FileStorageInit, secureFilename } from './file-storage.js';
export { Headers, type HeadersInit } from './headers.js';
export { MultiDict, type MultiDictInit, type ToObjectOptions } from './multidict.js';
