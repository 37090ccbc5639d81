/**
 * Reads a text/event-stream (the platform's …/logs/stream) as it arrives, for the CLI and
 * the console, which read it with fetch so that they can send their Authorization header
 * (EventSource cannot). Feed it text chunks; it answers the complete events in them.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id?: string;
  /** the last id the stream set: send it as Last-Event-ID to go on after a reconnect */
  lastEventId?: string;

  push(chunk: string): SseEvent[] {
    this.buf += chunk;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.buf.search(/\r?\n/)) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + (this.buf[nl] === '\r' ? 2 : 1));
      if (line === '') {
        if (this.id !== undefined) this.lastEventId = this.id;
        if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
        this.event = '';
        this.data = [];
        this.id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') this.id = value;
    }
    return out;
  }
}

/** Reads a fetch response's event stream, calling `onEvent` for each; resolves when it ends. */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void | 'stop', parser = new SseParser()): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const e of parser.push(decoder.decode(value, { stream: true }))) if (onEvent(e) === 'stop') return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
