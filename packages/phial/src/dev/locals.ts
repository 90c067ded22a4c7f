/**
 * Locals as they were when an error was thrown, the way Sentry's Node SDK captures them: a worker thread
 * opens an inspector session on the main thread (`connectToMainThread`), asks V8 to pause on exceptions,
 * and on each pause whose stack holds application frames reads their local and block scopes, hands the
 * values to the exception object itself (a hidden symbol property) and resumes at once. Nothing runs for a
 * request that throws nothing; pausing is on only while the debugger is.
 */
import { Worker } from 'node:worker_threads';

/** The symbol under which the worker leaves the frames on an exception. */
export const LOCALS_KEY = Symbol.for('phial.debugger.locals');

/** One captured frame: its generated location (0-based, as V8 reports it) and its variables. */
export interface CapturedFrame {
  url: string;
  line: number;
  column: number;
  functionName: string;
  locals: Record<string, unknown>;
}

/** Limits of a capture (per exception). */
export interface CaptureLimits {
  /** Application frames captured per exception (innermost first). */
  maxFrames?: number;
  /** Variables per frame. */
  maxLocals?: number;
  /** Pauses per second before pausing stops for 5 s (a throw loop must not stall the app). */
  maxPausesPerSecond?: number;
}

/** The frames captured for an error, or null. */
export function capturedFrames(error: unknown): CapturedFrame[] | null {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return null;
  const v = (error as { [LOCALS_KEY]?: unknown })[LOCALS_KEY];
  return Array.isArray(v) ? (v as CapturedFrame[]) : null;
}

/**
 * The worker's code (run with `eval: true`, so it works the same from sources, tsc output and the bundle).
 * Kept as plain JavaScript in a function whose text is sent to the worker.
 */
function workerMain(
  req: (id: string) => unknown,
  data: { prefixes: string[]; maxFrames: number; maxLocals: number; maxPausesPerSecond: number },
): void {
  const { Session } = req('node:inspector') as typeof import('node:inspector');
  const { parentPort } = req('node:worker_threads') as typeof import('node:worker_threads');
  const session = new Session();
  session.connectToMainThread();
  const post = (method: string, params?: object): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      session.post(method, params ?? {}, (err: Error | null, res?: object) =>
        err ? reject(err) : resolve((res ?? {}) as Record<string, unknown>),
      );
    });
  // a function's own variables, its blocks' `let`/`const`, a `catch (e)` binding (not closures or globals)
  const SCOPES = new Set(['local', 'block', 'catch']);
  const resume = () => session.post('Debugger.resume', {}, () => undefined);
  const isApp = (url: string): boolean => {
    if (!url.startsWith('file://') && !url.startsWith('/')) return false;
    let p = url;
    if (p.startsWith('file://')) {
      try {
        p = decodeURIComponent(new URL(p).pathname);
      } catch {
        return false;
      }
    }
    if (p.includes('/node_modules/')) return false;
    for (const prefix of data.prefixes) if (p.startsWith(prefix)) return false;
    return true;
  };
  // CallFrame.url is deprecated (empty for code tsx compiles): scripts are named by scriptParsed events
  const scriptUrls = new Map<string, string>();
  session.on('Debugger.scriptParsed', (event: { params: { scriptId: string; url: string } }) => {
    const u = event.params.url;
    if (u && (u.startsWith('file://') || u.startsWith('/'))) scriptUrls.set(event.params.scriptId, u);
  });
  let windowStart = 0;
  let pauses = 0;
  let stopped = false;
  let throttled = false;
  type RemoteObject = {
    type: string;
    subtype?: string;
    value?: unknown;
    unserializableValue?: string;
    objectId?: string;
  };
  type Scope = { type: string; object: RemoteObject };
  type CallFrame = {
    functionName: string;
    url: string;
    location: { scriptId: string; lineNumber: number; columnNumber: number };
    scopeChain: Scope[];
  };
  const capture = async (params: { reason: string; data?: RemoteObject; callFrames: CallFrame[] }) => {
    const ex = params.data;
    if (!ex?.objectId || (params.reason !== 'exception' && params.reason !== 'promiseRejection')) return;
    const now = Date.now();
    if (now - windowStart > 1000) {
      windowStart = now;
      pauses = 0;
    }
    if (++pauses > data.maxPausesPerSecond) {
      // a throw loop: stop pausing for a while rather than slow every throw down (Sentry does the same)
      if (!throttled) {
        throttled = true;
        post('Debugger.setPauseOnExceptions', { state: 'none' }).catch(() => undefined);
        setTimeout(() => {
          throttled = false;
          windowStart = 0;
          if (!stopped) post('Debugger.setPauseOnExceptions', { state: 'all' }).catch(() => undefined);
        }, 5000);
      }
      return;
    }
    const frames: CallFrame[] = [];
    for (const f of params.callFrames) {
      const url = f.url || scriptUrls.get(f.location.scriptId) || '';
      if (isApp(url)) frames.push({ ...f, url });
      if (frames.length >= data.maxFrames) break;
    }
    if (frames.length === 0) return;
    // already captured at the first throw (a rethrow keeps the original locals)
    const has = (await post('Runtime.callFunctionOn', {
      objectId: ex.objectId,
      functionDeclaration:
        'function(){ return Object.prototype.hasOwnProperty.call(this, Symbol.for("phial.debugger.locals")); }',
      returnByValue: true,
    })) as { result?: { value?: boolean } };
    if (has.result?.value === true) return;
    const meta: { url: string; line: number; column: number; functionName: string; names: string[] }[] = [];
    const args: Record<string, unknown>[] = [];
    for (const f of frames) {
      const names: string[] = [];
      for (const scope of f.scopeChain) {
        if (!SCOPES.has(scope.type) || !scope.object.objectId) continue;
        const props = (await post('Runtime.getProperties', {
          objectId: scope.object.objectId,
          ownProperties: true,
        })) as { result?: { name: string; value?: RemoteObject }[] };
        for (const p of props.result ?? []) {
          if (names.length >= data.maxLocals) break;
          if (names.includes(p.name) || !p.value) continue;
          const v = p.value;
          names.push(p.name);
          if (v.objectId) args.push({ objectId: v.objectId });
          else if (v.unserializableValue !== undefined)
            args.push({ unserializableValue: v.unserializableValue });
          else if (v.type === 'undefined') args.push({});
          else args.push({ value: v.value });
        }
      }
      meta.push({
        url: f.url,
        line: f.location.lineNumber,
        column: f.location.columnNumber,
        functionName: f.functionName,
        names,
      });
    }
    await post('Runtime.callFunctionOn', {
      objectId: ex.objectId,
      functionDeclaration: `function(meta, ...values){
        if (Object.prototype.hasOwnProperty.call(this, Symbol.for("phial.debugger.locals"))) return;
        let i = 0;
        const frames = meta.map((m) => {
          const locals = Object.create(null);
          for (const n of m.names) locals[n] = values[i++];
          return { url: m.url, line: m.line, column: m.column, functionName: m.functionName, locals };
        });
        try { Object.defineProperty(this, Symbol.for("phial.debugger.locals"), { value: frames, configurable: true }); } catch {}
      }`,
      arguments: [{ value: meta }, ...args],
    });
  };
  session.on('Debugger.paused', (event: { params: unknown }) => {
    if (stopped) {
      resume();
      return;
    }
    capture(event.params as Parameters<typeof capture>[0]).then(resume, (e: Error) => {
      if (process.env.PHIAL_DEBUGGER_TRACE) console.error('capture failed', e);
      resume();
    });
  });
  parentPort?.on('message', (msg: unknown) => {
    if (msg === 'stop') {
      stopped = true;
      post('Debugger.setPauseOnExceptions', { state: 'none' })
        .then(() => post('Debugger.disable'))
        .catch(() => undefined)
        .finally(() => {
          session.disconnect();
          parentPort?.postMessage('stopped');
        });
    }
  });
  post('Debugger.enable')
    .then(() => post('Debugger.setPauseOnExceptions', { state: 'all' }))
    .then(
      () => parentPort?.postMessage('ready'),
      (e: Error) => parentPort?.postMessage(`error:${e.message}`),
    );
}

/** The running capture; stop it to end pausing on exceptions. */
export interface LocalsCapture {
  stop(): Promise<void>;
}

/**
 * Starts capturing locals; resolves once V8 pauses on exceptions (or null when the inspector is not
 * available, e.g. another runtime or a Node built without it).
 */
export async function startLocalsCapture(
  prefixes: string[],
  limits: CaptureLimits = {},
): Promise<LocalsCapture | null> {
  const data = {
    prefixes,
    maxFrames: limits.maxFrames ?? 10,
    maxLocals: limits.maxLocals ?? 50,
    maxPausesPerSecond: limits.maxPausesPerSecond ?? 200,
  };
  let worker: Worker;
  try {
    // `__name`: what tsx/esbuild's keepNames wraps named closures in (absent in the worker's scope)
    const code = `const __name = (f) => f;\n(${workerMain.toString()})(require, require('node:worker_threads').workerData);`;
    worker = new Worker(code, {
      eval: true,
      workerData: data,
      stdout: false,
      stderr: false,
    });
  } catch {
    return null;
  }
  worker.unref();
  const ok = await new Promise<boolean>((resolve) => {
    // a runtime whose inspector never answers (not Node) must not hold the server's start
    const timer = setTimeout(() => resolve(false), 5000);
    timer.unref();
    worker.once('message', (m) => {
      clearTimeout(timer);
      resolve(m === 'ready');
    });
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
  if (!ok) {
    await worker.terminate();
    return null;
  }
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      process.off('beforeExit', onBeforeExit);
      const timer = setTimeout(() => worker.terminate().then(() => resolve()), 1000);
      worker.once('message', () => {
        clearTimeout(timer);
        worker.terminate().then(() => resolve());
      });
      worker.postMessage('stop');
    });
    return stopped;
  };
  // a connected inspector session keeps a process whose work is done waiting ("Waiting for the debugger
  // to disconnect..."): end the session when the event loop empties
  const onBeforeExit = () => {
    stop();
  };
  process.on('beforeExit', onBeforeExit);
  return { stop };
}
