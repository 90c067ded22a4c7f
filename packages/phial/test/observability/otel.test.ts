/**
 * The real OpenTelemetry HTTP instrumentation (which wraps `http.Server.prototype.emit` and reads the
 * 'request' event's node objects) produces a server span for a request served by Phial's own server,
 * continues the caller's trace, and sees spans the app opens as children of it.
 */

import { tracingChannel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phial } from '../../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const instrumentation = new HttpInstrumentation();

beforeAll(() => {
  provider.register();
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  // node:http was loaded before the instrumentation: requiring it again lets it patch the module
  createRequire(import.meta.url)('node:http');
});

afterAll(async () => {
  instrumentation.disable();
  await provider.shutdown();
});

async function spansFor(
  traceId: string,
  count: number,
): Promise<ReturnType<typeof exporter.getFinishedSpans>> {
  for (let i = 0; i < 100; i++) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (spans.length >= count) return spans;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${count} spans for trace ${traceId}`);
}

describe.each(['phial', 'node'] as const)('@opentelemetry/instrumentation-http on the %s server', (kind) => {
  it('produces a server span that continues the caller trace and parents the spans of the view', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const tracer = trace.getTracer('phial-test');
    app.get('/orders/<int:id>', async (req) => {
      await new Promise((r) => setTimeout(r, 2));
      tracer.startActiveSpan('load order', (span) => span.end());
      return { id: req.params.id, active: trace.getActiveSpan()?.spanContext().traceId ?? null };
    });
    const server = await app.listen(0, '127.0.0.1', { server: kind });
    try {
      const traceId =
        kind === 'phial' ? '0af7651916cd43dd8448eb211c80319c' : '1af7651916cd43dd8448eb211c80319d';
      const parent = 'b7ad6b7169203331';
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42?x=1`;
      const r = await fetch(url, {
        headers: { traceparent: `00-${traceId}-${parent}-01`, 'user-agent': 'matrix' },
      });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ id: 42, active: traceId });

      const spans = await spansFor(traceId, 2);
      const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(serverSpan).toBeDefined();
      if (serverSpan === undefined) return;
      expect(serverSpan.name).toBe('GET');
      expect(serverSpan.parentSpanContext?.spanId).toBe(parent);
      expect(serverSpan.attributes['http.request.method']).toBe('GET');
      expect(serverSpan.attributes['url.path']).toBe('/orders/42');
      expect(serverSpan.attributes['url.query']).toBe('x=1');
      expect(serverSpan.attributes['http.response.status_code']).toBe(200);
      expect(serverSpan.attributes['network.peer.address']).toBe('127.0.0.1');
      expect(serverSpan.attributes['user_agent.original']).toBe('matrix');
      expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
      const child = spans.find((s) => s.name === 'load order');
      expect(child?.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });

  it('a 500 marks the server span as an error', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Phial['logger'];
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const server = await app.listen(0, '127.0.0.1', { server: kind });
    try {
      const traceId =
        kind === 'phial' ? '0af7651916cd43dd8448eb211c8031aa' : '0af7651916cd43dd8448eb211c8031bb';
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`, {
        headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      expect(r.status).toBe(500);
      const [span] = await spansFor(traceId, 1);
      expect(span?.kind).toBe(SpanKind.SERVER);
      expect(span?.attributes['http.response.status_code']).toBe(500);
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });

  it('http.route and the span name come from the phial.route channel (no app code)', async () => {
    const route = tracingChannel<unknown, { rule?: string }>('phial.route');
    const handlers = {
      start() {},
      end(ctx: { rule?: string }) {
        const meta = getRPCMetadata(context.active());
        if (meta?.type === RPCType.HTTP && ctx.rule !== undefined) meta.route = ctx.rule;
      },
      asyncStart() {},
      asyncEnd() {},
      error() {},
    };
    route.subscribe(handlers);
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/users/<int:id>', (req) => `user ${String(req.params.id)}`);
    const server = await app.listen(0, '127.0.0.1', { server: kind });
    try {
      const traceId =
        kind === 'phial' ? '0af7651916cd43dd8448eb211c8031cc' : '0af7651916cd43dd8448eb211c8031dd';
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/users/9`, {
        headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      expect(await r.text()).toBe('user 9');
      const [span] = await spansFor(traceId, 1);
      expect(span?.attributes['http.route']).toBe('/users/<int:id>');
      expect(span?.name).toBe('GET /users/<int:id>');
    } finally {
      route.unsubscribe(handlers);
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});
