/**
 * What keeping service logs costs per line (one access line per gateway call): on the
 * caller's path (`append` only) and in all (with the batched writes to SQLite that follow),
 * for the memory ring and the database store, and for handing a line to three sinks that
 * are down (queues full: each line drops the oldest). CPU time from process.cpuUsage;
 * compare with the ~150 µs of platform CPU a gateway call costs at c=32
 * (docs/benchmarks.md, scenario 4).
 *
 *   npx tsc -p bench/tsconfig.json && node test-artifacts/bench-build/bench/log-append.js [--lines 100000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/log.js';
import { openDb } from '../src/store/db/connect.js';
import { DbLogStore } from '../src/logs/db-log-store.js';
import { MemoryLogStore } from '../src/logs/memory-log-store.js';
import { LogDelivery } from '../src/logs/log-delivery.js';
import { LogTags } from '../src/logs/log-tags.js';
import type { LogStore, NewLogLine } from '../src/logs/log-store.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const N = Number(arg('lines', '100000'));
const tags = new LogTags();
const line = (n: number): NewLogLine =>
  tags.tag({
    ts: new Date().toISOString(),
    service: 'mnist',
    instanceId: 'mnist-1-0000000a',
    stream: 'access',
    line: `POST /v2/models/mnist/infer 200 ${n % 7}ms`,
  });
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function measure(name: string, store: LogStore, settle: () => Promise<void>): Promise<{ name: string; pathNs: number; totalNs: number }> {
  for (let n = 0; n < 2_000; n++) store.append(line(n)); // warm-up
  await settle();
  // as calls come: 1,000 lines, then the event loop turns (the store's timers and writes run)
  const lines = Array.from({ length: N }, (_, n) => line(n));
  let onPath = 0;
  const t0 = cpuUs();
  for (let i = 0; i < N; i += 1_000) {
    const a = cpuUs();
    for (let n = i; n < Math.min(N, i + 1_000); n++) store.append(lines[n]!);
    onPath += cpuUs() - a;
    await new Promise((r) => setImmediate(r));
  }
  await settle();
  const t2 = cpuUs();
  return { name, pathNs: (onPath * 1000) / N, totalNs: ((t2 - t0) * 1000) / N };
}

async function main(): Promise<void> {
  const rows = [];
  rows.push(await measure('memory ring', new MemoryLogStore(), async () => undefined));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-log-bench-'));
  const db = await openDb(`sqlite:${path.join(dir, 'db.sqlite')}`);
  const dbStore = new DbLogStore({ db: db.kysely, dialect: db.dialect, retention: { maxLinesPerService: 10 * N } });
  dbStore.start();
  rows.push(
    await measure('database (SQLite, WAL)', dbStore, async () => {
      while ((dbStore as unknown as { buffer: unknown[] }).buffer.length) await dbStore.flush();
    }),
  );
  await dbStore.close();
  await db.close();
  const down = 'http://127.0.0.1:9';
  const d = new LogDelivery(createLogger('silent'), {
    sinks: [
      { type: 'loki', url: down },
      { type: 'otlp', url: down },
      { type: 'http', url: down },
    ],
    bufferLines: 1_000,
  });
  const lines = Array.from({ length: N }, (_, n) => line(n));
  const t0 = cpuUs();
  for (let n = 0; n < N; n++) d.accept(lines[n]!);
  const sinkNs = ((cpuUs() - t0) * 1000) / N;
  const t3 = cpuUs();
  for (let n = 0; n < N; n++) line(n);
  const tagNs = ((cpuUs() - t3) * 1000) / N;
  const base = rows[0]!.pathNs;
  console.log(`${N} access lines; CPU ns per line (ratio to the memory ring's append)`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(24)} on the call path ${r.pathNs.toFixed(0)} ns (${(r.pathNs / base).toFixed(2)}×), in all ${r.totalNs.toFixed(0)} ns (${(r.totalNs / base).toFixed(2)}×)`,
    );
  console.log(`${'3 sinks down (accept)'.padEnd(24)} on the call path ${sinkNs.toFixed(0)} ns (${(sinkNs / base).toFixed(2)}×)`);
  console.log(`${'tagging a line'.padEnd(24)} ${tagNs.toFixed(0)} ns (version, level; before any of these)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
