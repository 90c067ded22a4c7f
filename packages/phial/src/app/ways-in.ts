/**
 * The ways into an app that must exist synchronously: `app.handler` (a node:http request listener) and
 * `app.testClient()`. Their code lives in `server/` and `testing/`, which `app/` never imports (layers only look
 * down), so the package entry (`src/index.ts`, the one place that composes the layers) hands them over here.
 * `app.run()`, `app.listen()`, `app.fetch()` and `app.testRequestContext()` are asynchronous and import their
 * module on first use instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestClient, TestClientOptions } from '../testing/client.js';
import type { Phial } from './phial.js';

/** What the package entry provides. */
export interface WaysIn {
  /** Makes the node:http request listener of `app.handler`. */
  nodeHandler(app: Phial): (req: IncomingMessage, res: ServerResponse) => void;
  /** Makes the client of `app.testClient()`. */
  testClient(app: Phial, options?: TestClientOptions): TestClient;
}

let provided: WaysIn | null = null;

/** @internal called once by the package entry. */
export function provideWaysIn(ways: WaysIn): void {
  provided = ways;
}

/** @internal the provided ways in, or a clear error (the app was imported without the package entry). */
export function waysIn(): WaysIn {
  if (provided === null) {
    throw new Error(
      "Phial's server and test client are not loaded: import Phial from 'phial' (the package entry), not from an internal module.",
    );
  }
  return provided;
}
