/**
 * The app-layer file helpers (Flask's `send_file` / `send_from_directory`): the toolkit functions of
 * `http/static.ts`, given the current request (conditional and range requests, HEAD), the app's root path
 * (relative paths) and SEND_FILE_MAX_AGE_DEFAULT (caching).
 */
import type { Response } from '../http/response.js';
import {
  type FileSource,
  type SendFileOptions as ToolkitSendFileOptions,
  sendFile as toolkitSendFile,
  sendFromDirectory as toolkitSendFromDirectory,
} from '../http/static.js';
import { requireRequestContext } from './context.js';

/** Options of {@link sendFile} and {@link sendFromDirectory}; the request and root path come from the context. */
export type SendFileOptions = Omit<ToolkitSendFileOptions, 'request' | 'root'>;

interface FileApp {
  readonly config: object;
  readonly rootPath?: string;
  getSendFileMaxAge?(filename: string | null): number | null;
}

/** SEND_FILE_MAX_AGE_DEFAULT in seconds (null: `Cache-Control: no-cache`, Flask's default). */
function defaultMaxAge(app: FileApp, filename: string | null): number | null {
  if (typeof app.getSendFileMaxAge === 'function') return app.getSendFileMaxAge(filename);
  const v = (app.config as Record<string, unknown>).SEND_FILE_MAX_AGE_DEFAULT;
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function withContext(options: SendFileOptions): ToolkitSendFileOptions {
  const ctx = requireRequestContext();
  const app = ctx.app as unknown as FileApp;
  return {
    ...options,
    maxAge: options.maxAge ?? ((filename: string | null) => defaultMaxAge(app, filename)),
    request: ctx.request,
    root: app.rootPath ?? process.cwd(),
  };
}

/**
 * Sends a file to the client: a path (relative to `app.rootPath`), bytes, or a byte stream. Handles
 * conditional requests (304), ranges (206/416) and HEAD for the current request; a missing file is a 404.
 * Caching follows SEND_FILE_MAX_AGE_DEFAULT unless `maxAge` is given.
 */
export function sendFile(source: FileSource, options: SendFileOptions = {}): Promise<Response> {
  return toolkitSendFile(source, withContext(options));
}

/**
 * Sends `path` from inside `directory` (relative to `app.rootPath`): the safe way to serve user-chosen
 * file names. Anything that could leave the directory, a dotfile, a device name or a non-file is a 404.
 */
export function sendFromDirectory(
  directory: string,
  path: string,
  options: SendFileOptions = {},
): Promise<Response> {
  return toolkitSendFromDirectory(directory, path, withContext(options));
}
