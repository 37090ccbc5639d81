/**
 * The gateway's side of payload capture (docs/capture.md): per call, one property check
 * when the version captures nothing; else a sampling draw and, when drawn, one small
 * object holding references to the request and answer bytes, handed to a CaptureSink.
 * No copy, no JSON, no I/O here: the sink (services/capture/capture-writer.ts) queues it
 * with a bound and writes off the hot path; a full queue drops the capture, never the call.
 */
import { performance } from 'node:perf_hooks';
import { CAPTURE_DEFAULT_MAX_BODY_BYTES, type CaptureSpec } from '../contracts/capture.js';

/** One captured call, as the gateway hands it over: references, not copies. */
export interface CaptureEntry {
  /** Date.now() at arrival */
  at: number;
  service: string;
  seq: number;
  versionId: string;
  instanceId?: string;
  op: 'predict' | 'infer';
  method: string;
  /** as the client sent it; the writer drops the query string */
  url: string;
  status: number;
  latencyMs: number;
  errorCode?: string;
  request: Buffer | undefined;
  requestType?: string;
  requestHeaderLength?: string;
  response: Buffer | string;
  responseType?: string;
  responseHeaderLength?: string;
  maxBodyBytes: number;
}

export interface CaptureSink {
  /** Takes an entry or drops it (counted); never throws, never waits. */
  offer(e: CaptureEntry): void;
}

/** What a call the gateway served looks like to the hook (a subset of Call, Outcome and the chosen version/instance). */
interface Served {
  call: { service: string; op: string; method: string; url: string; body?: Buffer; contentType?: string; headerLength?: string | string[]; t0: number };
  version: { id: string; seq: number; capture?: CaptureSpec };
  instanceId: string | undefined;
  outcome: { status: number; contentType: string | undefined; body: Buffer | string; headerLength?: string; errorCode?: string };
}

/** Offers a served call to the sink when its version captures and the draw says so. */
export function captureCall(sink: CaptureSink | undefined, s: Served): void {
  const spec = s.version.capture;
  if (sink === undefined || spec === undefined || s.call.op === 'metadata') return;
  if (spec.percent < 100 && Math.random() * 100 >= spec.percent) return;
  const { call: c, outcome: o } = s;
  const latencyMs = Math.round((performance.now() - c.t0) * 1000) / 1000;
  sink.offer({
    at: Math.round(Date.now() - latencyMs),
    service: c.service,
    seq: s.version.seq,
    versionId: s.version.id,
    instanceId: s.instanceId,
    op: c.op as CaptureEntry['op'],
    method: c.method,
    url: c.url,
    status: o.status,
    latencyMs,
    errorCode: o.errorCode,
    request: c.body,
    requestType: c.contentType,
    requestHeaderLength: typeof c.headerLength === 'string' ? c.headerLength : undefined,
    response: o.body,
    responseType: o.contentType,
    responseHeaderLength: o.headerLength,
    maxBodyBytes: spec.maxBodyBytes ?? CAPTURE_DEFAULT_MAX_BODY_BYTES,
  });
}
