/**
 * Server-sent events (text/event-stream) for a followed query: the lines it answers now,
 * then each new one as it comes, each event's `id` its cursor, so a client that reconnects
 * with `Last-Event-ID` goes on where it was. New lines are read with the same query the
 * REST route answers; this replica's own appends wake it at once, and it also looks every
 * `pollMs` for lines another replica wrote to the shared store.
 */
import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** the streams open on each HTTP server: ended when the platform closes, else they hold it open */
const open = new WeakMap<Server, Set<() => void>>();

/** Call once in a plugin that streams: its streams end as the app begins to close. */
export function endStreamsOnClose(app: FastifyInstance): void {
  app.addHook('preClose', async () => {
    for (const end of open.get(app.server) ?? []) end();
  });
}

export interface FollowPage<T> {
  items: (T & { seq: number })[];
  cursor: number;
  /** nothing more will come (a finished task run) */
  done?: boolean;
}

export interface FollowSource<T> {
  /** `after` undefined: the tail the query answers; else the lines after that cursor */
  page(after: number | undefined): Promise<FollowPage<T>>;
  /** calls `wake` when there may be new lines; returns an unsubscribe function */
  subscribe(wake: () => void): () => void;
}

/** The cursor a client names: its Last-Event-ID header, else the query's `after`. */
export function resumeCursor(req: FastifyRequest, after: number | undefined): number | undefined {
  const h = req.headers['last-event-id'];
  const n = typeof h === 'string' && /^[0-9]{1,15}$/.test(h.trim()) ? Number(h) : undefined;
  return n ?? after;
}

export async function followSse<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  src: FollowSource<T>,
  start: number | undefined,
  o: { pollMs?: number; heartbeatMs?: number; pageLines?: number } = {},
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  let wake: () => void = () => undefined;
  const woken = () => new Promise<void>((r) => (wake = r));
  const unsubscribe = src.subscribe(() => wake());
  const streams = open.get(reply.server.server) ?? new Set<() => void>();
  open.set(reply.server.server, streams);
  const end = () => {
    closed = true;
    wake();
  };
  streams.add(end);
  const poll = setInterval(() => wake(), o.pollMs ?? 1_000);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), o.heartbeatMs ?? 15_000);
  req.raw.on('close', end);
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
  };
  try {
    let cursor = start;
    let first = true;
    while (!closed) {
      const next = woken();
      const p = await src.page(cursor);
      for (const item of p.items) await write(`id: ${item.seq}\nevent: log\ndata: ${JSON.stringify(item)}\n\n`);
      cursor = p.cursor;
      if (first) await write(`id: ${cursor}\nevent: ready\ndata: ${JSON.stringify({ cursor })}\n\n`);
      first = false;
      if (p.done) {
        await write(`event: done\ndata: ${JSON.stringify({ cursor })}\n\n`);
        break;
      }
      // a full page: there is more already, read on without waiting
      if (p.items.length < (o.pageLines ?? 500)) await next;
    }
  } catch (e) {
    if (!closed) res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
  } finally {
    unsubscribe();
    streams.delete(end);
    clearInterval(poll);
    clearInterval(heartbeat);
    res.end();
  }
}
