/**
 * The spans the platform makes when tracing is on: one for the gateway hop of a call and
 * one for the instance's handling of it, its child (the gateway sends `traceparent` naming
 * its span). Both continue the caller's trace when the call came with a `traceparent`.
 * Spans are the OpenTelemetry API's; tracing.ts loads the SDK that exports them.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span, type Tracer } from '@opentelemetry/api';
import { parseTraceparent, traceparentOf } from './trace-context.js';

export type OpenSpan = Span;

/** A span starting now, the child of the caller's `traceparent` when it sent a valid one. */
export function openSpan(tracer: Tracer, name: string, traceparent: string | string[] | undefined): Span {
  const parent = parseTraceparent(traceparent);
  const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, traceFlags: TraceFlags.SAMPLED, isRemote: true }) : ROOT_CONTEXT;
  return tracer.startSpan(name, { kind: SpanKind.SERVER }, ctx);
}

/** Ends the span now with the call's status (5xx: an error) and its attributes. */
export function closeSpan(span: Span, name: string, status: number, attributes: Record<string, string | number>): void {
  span.updateName(name);
  span.setAttributes({ ...attributes, 'http.response.status_code': status });
  span.setStatus({ code: status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.OK });
  span.end();
}

/** The `traceparent` for the next hop, naming this span as its parent. */
export const traceparentFor = (span: Span): string => traceparentOf(span.spanContext());
