/**
 * The composition root: config → store → blobs → domain → HTTP. `modeldock up` calls
 * startPlatform(); tests call it in-process with a temp data dir.
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { openDb, type Db } from './store/db/connect.js';
import { openBlobStore } from './store/blobs/open.js';
import type { BlobStore } from './store/blobs/blob-store.js';
import { buildApp, type ApiPlugin } from './api/app.js';
import { ModelRepository } from './models/model-repository.js';
import { modelsPlugin } from './api/plugins/models.js';
import { runtimesPlugin } from './api/plugins/runtimes.js';
import { storagePlugin } from './api/plugins/storage.js';

export interface Platform {
  readonly config: Config;
  readonly url: string;
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly models: ModelRepository;
  readonly log: Logger;
  close(): Promise<void>;
}

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Builds the platform without listening (for in-process tests with inject). */
export async function createPlatform(config: Config, opts: { logger?: Logger } = {}): Promise<Omit<Platform, 'url'>> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const db = await openDb(config.databaseUrl);
  const blobs = openBlobStore(config.blobUrl);
  const models = new ModelRepository({ db: db.kysely, blobs, config, log });
  const plugins: ApiPlugin[] = [
    { plugin: modelsPlugin({ models, config }) },
    { plugin: runtimesPlugin({ config }) },
    { plugin: storagePlugin({ blobs, config }) },
  ];
  const app = await buildApp({ logger: log, bodyLimitBytes: config.limits.maxJsonBodyBytes, adminToken: config.adminToken, version: VERSION }, plugins);
  await models.start();
  return {
    config,
    app,
    db,
    blobs,
    models,
    log,
    async close() {
      await app.close();
      await models.stop();
      await db.close();
    },
  };
}

/** Starts the platform and listens on config.host:config.port (0 = a free port). */
export async function startPlatform(config: Config, opts: { logger?: Logger } = {}): Promise<Platform> {
  checkExposure(config);
  const p = await createPlatform(config, opts);
  await p.app.listen({ host: config.host, port: config.port });
  const addr = p.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  p.log.info({ url, dataDir: config.dataDir, database: config.databaseUrl.split(':')[0] }, `modeldock ${VERSION} listening on ${url}`);
  return { ...p, url };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The control plane is never exposed beyond loopback without an admin token. */
function checkExposure(config: Config): void {
  if (!LOOPBACK.has(config.host) && !config.adminToken) {
    throw new Error(`refusing to listen on ${config.host} without an admin token: set MODELDOCK_ADMIN_TOKEN (or listen on 127.0.0.1)`);
  }
}
