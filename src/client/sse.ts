/**
 * Server-sent events (the platform's …/logs/stream) as an async iterable, over fetch so the
 * token goes along (EventSource cannot send it). A stream that drops is opened again with
 * Last-Event-ID, so no event is seen twice or missed; a `done` event ends it.
 */
import { SseParser, type SseEvent } from '../contracts/sse-parser.js';
import { ModeldockError } from './errors.js';
import type { HttpClient, QueryValue } from './http.js';

export type { SseEvent } from '../contracts/sse-parser.js';

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The events of a text/event-stream route until `done`, the signal aborts, or it fails 5 times running. */
export async function* sseEvents(http: HttpClient, path: string, query: Record<string, QueryValue>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for (let tries = 0; !signal?.aborted; tries++) {
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...(parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}) };
      const res = await http.request('GET', path, { query, headers, signal, timeoutMs: 0 });
      tries = 0;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const e of parser.push(decoder.decode(value, { stream: true }))) {
            if (e.event === 'done') return;
            yield e;
          }
        }
      } finally {
        await reader.cancel().catch(() => undefined);
      }
    } catch (e) {
      if (signal?.aborted) return;
      const refused = e instanceof ModeldockError && e.status >= 400;
      if (refused || !parser.lastEventId || tries >= 5) throw e;
    }
    await sleep(Math.min(10_000, 500 * 2 ** tries), signal);
  }
}
