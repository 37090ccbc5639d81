/**
 * Payload capture's Prometheus series (docs/observability.md, docs/capture.md). Updated off
 * the gateway's hot path: per file written, and per capture dropped (which only happens
 * when capture is overloaded or its store fails). A deleted service's series are dropped.
 */
import { Counter, type Registry } from 'prom-client';

export type CaptureDropReason = 'queue_full' | 'store_error';

export class CaptureSeries {
  private readonly captured: Counter<'service' | 'version'>;
  private readonly dropped: Counter<'service' | 'version' | 'reason'>;
  private readonly bytes: Counter<'service' | 'version'>;
  private readonly files: Counter<'service' | 'version'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.captured = new Counter({
      name: 'modeldock_captured_calls_total',
      help: 'calls captured (request and answer) and written to the object store',
      labelNames: ['service', 'version'],
      registers,
    });
    this.dropped = new Counter({
      name: 'modeldock_capture_dropped_total',
      help: "captures dropped, the calls unaffected: queue_full (capture's memory bound reached, e.g. a slow store) or store_error (a capture file could not be written)",
      labelNames: ['service', 'version', 'reason'],
      registers,
    });
    this.bytes = new Counter({
      name: 'modeldock_capture_written_bytes_total',
      help: 'bytes of capture files written to the object store',
      labelNames: ['service', 'version'],
      registers,
    });
    this.files = new Counter({
      name: 'modeldock_capture_files_total',
      help: 'capture files written to the object store',
      labelNames: ['service', 'version'],
      registers,
    });
  }

  /** service → the version labels it has series for */
  private readonly seen = new Map<string, Set<string>>();

  written(service: string, seq: number, records: number, bytes: number): void {
    const labels = { service, version: this.see(service, seq) };
    this.captured.inc(labels, records);
    this.bytes.inc(labels, bytes);
    this.files.inc(labels);
  }

  drop(service: string, seq: number, reason: CaptureDropReason, n = 1): void {
    this.dropped.inc({ service, version: this.see(service, seq), reason }, n);
  }

  /** Removes every series of a service (it was deleted). */
  dropService(service: string): void {
    for (const version of this.seen.get(service) ?? []) {
      for (const c of [this.captured, this.bytes, this.files]) c.remove({ service, version });
      for (const reason of ['queue_full', 'store_error'] as const) this.dropped.remove({ service, version, reason });
    }
    this.seen.delete(service);
  }

  private see(service: string, seq: number): string {
    const version = String(seq);
    let s = this.seen.get(service);
    if (s === undefined) this.seen.set(service, (s = new Set()));
    s.add(version);
    return version;
  }
}
