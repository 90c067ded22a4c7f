/**
 * The documented `onShutdown` snippet flushes OpenTelemetry's BatchSpanProcessor: a span still waiting in the
 * batch when the server stops is exported before the process exits.
 */
import { trace } from '@opentelemetry/api';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, expect, it } from 'vitest';
import { Phial } from '../../src/index.js';

afterEach(() => trace.disable());

it('app.shutdown() flushes the spans the batch still holds', async () => {
  // an exporter that keeps what it was given (the in-memory one forgets it when shut down)
  const exported: string[] = [];
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      exported.push(...spans.map((s) => s.name));
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
  });
  provider.register();
  const app = new Phial(import.meta.url, { staticFolder: null });
  // docs/observability.md, as written
  app.onShutdown(async () => {
    const provider = trace.getTracerProvider() as { getDelegate?: () => { shutdown?: () => Promise<void> } };
    await provider.getDelegate?.().shutdown?.();
  });
  app.get('/work', () => {
    trace.getTracer('app').startActiveSpan('work', (span) => span.end());
    return 'done';
  });
  expect((await app.testClient().get('/work')).text).toBe('done');
  expect(exported).toEqual([]); // still in the batch
  await app.shutdown();
  expect(exported).toEqual(['work']);
});
