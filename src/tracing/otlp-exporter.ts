/**
 * Sends finished spans to an OpenTelemetry collector over OTLP/HTTP (JSON encoding, POST
 * `<url>`, normally …/v1/traces), in batches once a second. Only built when tracing is
 * configured: with tracing off nothing here runs. A span is a plain object pushed on an
 * array; a collector that does not answer costs dropped spans (the oldest), never a call.
 */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 2 server, 3 client */
  kind: 2 | 3;
  /** ms since the epoch (fractions kept) */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number>;
  error: boolean;
}

const MAX_BUFFER = 4096;

export class OtlpExporter {
  private buffer: FinishedSpan[] = [];
  private readonly timer: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly serviceName: string,
    private readonly onError: (err: unknown) => void = () => undefined,
    everyMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  add(span: FinishedSpan): void {
    if (this.buffer.length >= MAX_BUFFER) this.buffer.splice(0, MAX_BUFFER / 8);
    this.buffer.push(span);
  }

  /** Sends what is buffered (one POST). */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.send());
    return this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async send(): Promise<void> {
    if (this.buffer.length === 0) return;
    const spans = this.buffer;
    this.buffer = [];
    try {
      const r = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.body(spans)),
        signal: AbortSignal.timeout(5_000),
      });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`the OTLP receiver answered ${r.status}`);
    } catch (e) {
      this.onError(e);
    }
  }

  private body(spans: FinishedSpan[]) {
    const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
    const attr = (a: Record<string, string | number>) =>
      Object.entries(a).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } }));
    return {
      resourceSpans: [
        {
          resource: { attributes: attr({ 'service.name': this.serviceName }) },
          scopeSpans: [
            {
              scope: { name: 'modeldock' },
              spans: spans.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: ns(s.startMs),
                endTimeUnixNano: ns(s.endMs),
                attributes: attr(s.attributes),
                status: { code: s.error ? 2 : 1 },
              })),
            },
          ],
        },
      ],
    };
  }
}
