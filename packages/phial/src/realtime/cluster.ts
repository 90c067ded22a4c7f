/**
 * Broadcast across the processes of a node:cluster, such as `phial serve --workers N`: without it a
 * message published in one worker would only reach the clients connected to that worker. Each worker's
 * `ClusterTransport` delivers a publish to its own subscribers at once (as `MemoryTransport` does) and
 * sends it over the cluster's IPC channel to the primary, whose `clusterRelay` forwards it to the other
 * workers subscribed to that topic. No broker to run; across machines use a transport over Redis or
 * another bus.
 *
 * Messages cross processes as JSON (node's IPC serialization): in a cluster every subscriber receives a JSON
 * copy, the publishing worker's own included, so that all workers see the same values. A worker that
 * stops reading its IPC channel (its event loop is blocked) is skipped past `maxPending` unsent messages,
 * so a stuck worker never makes the primary buffer without bound.
 */
import type { Cluster, Worker } from 'node:cluster';
import { nodeCluster } from '../http/node-builtins.js';
import type { BroadcastTransport } from './broadcast.js';

/** Set in the environment of workers whose primary runs `clusterRelay`; `new Broadcast()` then crosses processes. */
export const CLUSTER_RELAY_ENV = 'PHIAL_BROADCAST_RELAY';

const KIND = 'phial:broadcast';

/** What travels between a worker and the primary. */
interface RelayMessage {
  kind: typeof KIND;
  op: 'pub' | 'sub' | 'unsub';
  channel: string;
  topic: string;
  message?: unknown;
}

function isRelayMessage(m: unknown): m is RelayMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as RelayMessage).kind === KIND &&
    typeof (m as RelayMessage).channel === 'string' &&
    typeof (m as RelayMessage).topic === 'string'
  );
}

type Send = (
  message: unknown,
  handle: undefined,
  options: undefined,
  cb: (err: Error | null) => void,
) => boolean;

let inWorker: boolean | null = null;
/** True in a node:cluster worker (not in any child with an IPC channel: its parent would not expect our messages). */
function isClusterWorker(): boolean {
  if (inWorker === null) {
    try {
      inWorker = nodeCluster().isWorker;
    } catch {
      inWorker = false; // no node:cluster in this runtime
    }
  }
  return inWorker;
}

/** This process's IPC `send` when it is a cluster worker still connected to its primary, else null. */
function ipcSend(): Send | null {
  const p = globalThis.process as (NodeJS.Process & { send?: Send }) | undefined;
  if (typeof p?.send !== 'function' || p.connected === false || !isClusterWorker()) return null;
  return p.send.bind(p);
}

/** Options of `new ClusterTransport()`. */
export interface ClusterTransportOptions {
  /**
   * Keeps two broadcasts of one app apart across processes; every worker must use the same channel for
   * the same broadcast. Default `'default'`.
   */
  channel?: string;
}

/**
 * A `BroadcastTransport` for node:cluster workers. Outside a cluster (no IPC channel) it reaches this
 * process only, so the same code runs in one process, in tests and under `phial serve --workers N`.
 */
export class ClusterTransport implements BroadcastTransport {
  /** The channel this transport's messages travel on. */
  readonly channel: string;
  private readonly topics = new Map<string, (message: unknown) => void>();
  private listening = false;
  private readonly onParentMessage = (m: unknown): void => {
    if (!isRelayMessage(m) || m.op !== 'pub' || m.channel !== this.channel) return;
    this.topics.get(m.topic)?.(m.message);
  };

  constructor(options: ClusterTransportOptions = {}) {
    this.channel = options.channel ?? 'default';
  }

  /**
   * Sends to the other workers, then delivers here. In a cluster every subscriber, this worker's included,
   * gets the same JSON copy (a `Date` arrives as its ISO string everywhere, not as a `Date` in one worker and
   * a string in the others), and a message JSON cannot carry throws before anyone got it.
   */
  publish(topic: string, message: unknown): void {
    const send = ipcSend();
    if (send === null) {
      this.topics.get(topic)?.(message);
      return;
    }
    const json = JSON.stringify(message);
    if (json === undefined) throw new TypeError('A Broadcast message must be JSON-serializable.');
    const copy: unknown = JSON.parse(json);
    send(
      { kind: KIND, op: 'pub', channel: this.channel, topic, message: copy },
      undefined,
      undefined,
      ignore,
    );
    this.topics.get(topic)?.(copy);
  }

  subscribe(topic: string, deliver: (message: unknown) => void): void {
    this.topics.set(topic, deliver);
    if (!this.listening && ipcSend() !== null) {
      this.listening = true;
      process.on('message', this.onParentMessage);
    }
    this.tell({ kind: KIND, op: 'sub', channel: this.channel, topic });
  }

  unsubscribe(topic: string): void {
    if (!this.topics.delete(topic)) return;
    this.tell({ kind: KIND, op: 'unsub', channel: this.channel, topic });
    // a 'message' listener keeps the IPC channel (and so the worker) alive: drop it once nothing listens
    if (this.topics.size === 0) this.stopListening();
  }

  close(): void {
    for (const topic of [...this.topics.keys()]) this.unsubscribe(topic);
    this.stopListening();
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    process.off('message', this.onParentMessage);
  }

  private tell(m: RelayMessage): void {
    const send = ipcSend();
    // the primary went away (shutdown): this process keeps serving its own subscribers
    if (send !== null) send(m, undefined, undefined, ignore);
  }
}

function ignore(): void {
  // a message to a closed channel: the process at the other end is gone
}

/** Options of `clusterRelay()`. */
export interface ClusterRelayOptions {
  /** Messages accepted for one worker and not yet written to its IPC channel; past it that worker misses messages. Default 10,000. */
  maxPending?: number;
  /** Called when a worker starts missing messages because it does not read (default: one `console.error` per episode). */
  onSkip?: (worker: Worker) => void;
}

/**
 * Runs in the cluster primary: forwards each worker's publishes to the other workers subscribed to the
 * topic, and marks the workers forked afterwards so that their `new Broadcast()` uses a `ClusterTransport`.
 * `phial serve --workers N` calls it; call it yourself in a primary you write. Returns the function that
 * stops relaying.
 */
export function clusterRelay(options: ClusterRelayOptions = {}): () => void {
  const cluster: Cluster = nodeCluster();
  if (!cluster.isPrimary) throw new Error('clusterRelay() runs in the cluster primary, not in a worker.');
  const maxPending = options.maxPending ?? 10_000;
  const onSkip =
    options.onSkip ??
    ((w: Worker) =>
      console.error(
        `Broadcast: worker ${w.process.pid} does not read its IPC channel; it misses messages until it catches up`,
      ));
  /** worker id → `channel \0 topic` keys it subscribed to */
  const subscriptions = new Map<number, Set<string>>();
  const pending = new Map<number, number>();
  const skipping = new Set<number>();

  const forward = (to: Worker, m: RelayMessage): void => {
    const id = to.id;
    const n = pending.get(id) ?? 0;
    if (n >= maxPending) {
      if (!skipping.has(id)) {
        skipping.add(id);
        onSkip(to);
      }
      return;
    }
    skipping.delete(id);
    pending.set(id, n + 1);
    to.send(m, undefined, undefined, () => {
      const left = (pending.get(id) ?? 1) - 1;
      if (left <= 0) pending.delete(id);
      else pending.set(id, left);
    });
  };

  const onMessage = (from: Worker, m: unknown): void => {
    if (!isRelayMessage(m)) return;
    const key = `${m.channel}\0${m.topic}`;
    if (m.op === 'sub') {
      let keys = subscriptions.get(from.id);
      if (keys === undefined) {
        keys = new Set();
        subscriptions.set(from.id, keys);
      }
      keys.add(key);
    } else if (m.op === 'unsub') {
      subscriptions.get(from.id)?.delete(key);
    } else if (m.op === 'pub') {
      for (const [id, keys] of subscriptions) {
        if (id === from.id || !keys.has(key)) continue;
        const to = cluster.workers?.[id];
        if (to !== undefined && to.isConnected()) forward(to, m);
      }
    }
  };
  const onExit = (w: Worker): void => {
    subscriptions.delete(w.id);
    pending.delete(w.id);
    skipping.delete(w.id);
  };

  const previous = process.env[CLUSTER_RELAY_ENV];
  process.env[CLUSTER_RELAY_ENV] = '1';
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    if (previous === undefined) delete process.env[CLUSTER_RELAY_ENV];
    else process.env[CLUSTER_RELAY_ENV] = previous;
  };
}

let defaultChannels = 0;

/**
 * The transport of a `new Broadcast()` without one: a `ClusterTransport` in a worker of a relaying primary
 * (channels numbered in creation order, the same in every worker since they run the same code), else null
 * (the caller uses a `MemoryTransport`).
 */
export function defaultClusterTransport(): ClusterTransport | null {
  const env = (globalThis.process as NodeJS.Process | undefined)?.env;
  if (env?.[CLUSTER_RELAY_ENV] !== '1' || ipcSend() === null) return null;
  defaultChannels++;
  return new ClusterTransport({ channel: `broadcast-${defaultChannels}` });
}
