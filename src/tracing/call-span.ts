/**
 * The spans the platform makes when tracing is on: one for the gateway hop of a call and
 * one for the instance's handling of it, its child (the gateway sends `traceparent` naming
 * its span). Both continue the caller's trace when the call came with a `traceparent`.
 */
import { performance } from 'node:perf_hooks';
import type { FinishedSpan } from './otlp-exporter.js';
import { newSpanId, newTraceId, parseTraceparent } from './trace-context.js';

export interface OpenSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startMs: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

/** A span starting now, the child of the caller's `traceparent` when it sent a valid one. */
export function openSpan(traceparent: string | string[] | undefined): OpenSpan {
  const parent = parseTraceparent(traceparent);
  return { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), ...(parent ? { parentSpanId: parent.spanId } : {}), startMs: nowMs() };
}

/** The span, ended now. */
export function closeSpan(s: OpenSpan, name: string, kind: FinishedSpan['kind'], status: number, attributes: Record<string, string | number>): FinishedSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name,
    kind,
    startMs: s.startMs,
    endMs: nowMs(),
    attributes: { ...attributes, 'http.response.status_code': status },
    error: status >= 500,
  };
}
