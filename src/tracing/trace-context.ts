/**
 * W3C Trace Context (`traceparent: 00-<trace id>-<parent span id>-<flags>`) for the
 * optional OpenTelemetry traces (docs/observability.md): read from a call, and written for
 * the next hop.
 */
export interface SpanContext {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The caller's span context, or undefined when the header is missing or malformed (all-zero ids are invalid). */
export function parseTraceparent(h: string | string[] | undefined): SpanContext | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  const m = v === undefined ? null : TRACEPARENT.exec(v.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]! };
}

/** The header for a hop whose parent is `span` (sampled). */
export const traceparentOf = (span: SpanContext): string => `00-${span.traceId}-${span.spanId}-01`;
