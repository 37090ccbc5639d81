/**
 * 8. Control plane: list and get with 1,000 services and 10,000 model versions in the
 * store. Services are created through the API (0 instances each); model versions are
 * cloned in the database from one real import (importing 10,000 through the API would
 * take the whole bench budget and measure the importer instead).
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { measure, type Ctx } from '../lib/context.js';
import { load } from '../lib/load.js';
import { only } from '../lib/procs.js';
import { ratio } from '../lib/report.js';
import { startPlatform } from '../lib/spawn.js';
import { importModel, serviceVersion } from '../lib/api.js';

type Sqlite = new (file: string) => {
  prepare(sql: string): { all(...a: unknown[]): unknown[]; run(...a: unknown[]): unknown };
  transaction(fn: () => void): () => void;
  pragma(p: string): unknown;
  close(): void;
};

/** 100 models × 100 versions, cloned from model `mnist` v1 (its files rows included). */
function seedVersions(dbFile: string): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as Sqlite;
  const db = new Database(dbFile);
  db.pragma('busy_timeout = 10000');
  const model = db.prepare("SELECT * FROM models WHERE name = 'mnist'").all()[0] as Record<string, unknown>;
  const version = db.prepare('SELECT * FROM model_versions WHERE model_id = ?').all(model.id)[0] as Record<string, unknown>;
  const mcols = Object.keys(model);
  const vcols = Object.keys(version);
  const insM = db.prepare(`INSERT INTO models (${mcols.join(',')}) VALUES (${mcols.map(() => '?').join(',')})`);
  const insV = db.prepare(`INSERT INTO model_versions (${vcols.join(',')}) VALUES (${vcols.map(() => '?').join(',')})`);
  db.transaction(() => {
    for (let m = 0; m < 100; m++) {
      const id = `bench-model-${m}`;
      insM.run(...mcols.map((k) => (k === 'id' ? id : k === 'name' ? `bench-${String(m).padStart(3, '0')}` : k === 'next_version' ? 101 : model[k])));
      for (let v = 1; v <= 100; v++) {
        insV.run(...vcols.map((k) => (k === 'id' ? `${id}-v${v}` : k === 'model_id' ? id : k === 'number' ? v : version[k])));
      }
    }
  })();
  db.close();
}

async function createServices(base: string, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${base}/api/v1/services`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `svc-${String(i).padStart(4, '0')}`,
            billingMode: 'postpaid',
            tags: { team: `t${i % 10}` },
            version: serviceVersion('mnist', { mode: 'manual', instances: 0 }),
          }),
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`create svc-${i}: ${res.status}`);
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function controlPlane(ctx: Ctx): Promise<void> {
  const S = '8 control plane';
  const dataDir = path.join(ctx.tmp, 'platform-b');
  const p = await startPlatform(dataDir);
  try {
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', 'onnxruntime1.30-node20-cpu');
    seedVersions(path.join(dataDir, 'modeldock.db'));
    const created = await createServices(p.url, 1000, 8);
    ctx.log(`${S} | created 1,000 services at ${created.toFixed(0)}/s`);
    await new Promise((r) => setTimeout(r, 2000)); // a few reconcile passes over them
    const groups = { platform: only(p.pid) };
    const base = await measure(ctx, { url: `${p.url}/healthz`, connections: 1 }, groups, { scenario: S, case: 'GET /healthz (the API floor)' }, 'cp:healthz');
    const calls: [string, string][] = [
      ['GET /api/v1/services?limit=500 (page of 500 of 1,000)', '/api/v1/services?limit=500'],
      ['GET /api/v1/services?limit=500&offset=500 (second page)', '/api/v1/services?limit=500&offset=500'],
      ['GET /api/v1/services (default page, 50)', '/api/v1/services'],
      ['GET /api/v1/services/svc-0500', '/api/v1/services/svc-0500'],
      ['GET /api/v1/models?limit=100 (101 models, 10,001 versions)', '/api/v1/models?limit=100'],
      ['GET /api/v1/models/bench-050/versions (100 versions)', '/api/v1/models/bench-050/versions'],
      ['GET /api/v1/models/bench-050/versions/v50', '/api/v1/models/bench-050/versions/v50'],
    ];
    for (const [name, url] of calls) {
      const probe = await load({ url: `${p.url}${url}`, connections: 1, seconds: 1 });
      if (probe.errors > 0) throw new Error(`${url}: ${probe.errors} errors`);
      const row = await measure(ctx, { url: `${p.url}${url}`, connections: 1 }, groups, { scenario: S, case: name });
      const r = ratio(row, base, 'GET /healthz');
      if (r) row.vs.push(r);
    }
    ctx.rows.push({ scenario: S, case: 'POST /api/v1/services (creating the 1,000, 8 at once)', rps: created, vs: [], note: 'services with 0 instances' });
  } finally {
    await p.stop();
  }
}
