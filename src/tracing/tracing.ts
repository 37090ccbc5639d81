/**
 * OpenTelemetry traces, optional and off by default (docs/observability.md). With an OTLP
 * URL the OpenTelemetry SDK is loaded — by dynamic import, so with tracing off none of it
 * is loaded — with a batch span processor (a batch a second, spans dropped rather than
 * queued without bound when the collector is away) and the OTLP/HTTP exporter (JSON).
 * call-span.ts makes the spans.
 */
import type { Tracer } from '@opentelemetry/api';

export interface Tracing {
  readonly tracer: Tracer;
  /** exports what is buffered, then stops */
  close(): Promise<void>;
}

export async function startTracing(url: string, serviceName: string): Promise<Tracing> {
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), { scheduledDelayMillis: 1_000, maxQueueSize: 4_096 })],
  });
  return { tracer: provider.getTracer('modeldock'), close: () => provider.shutdown() };
}
