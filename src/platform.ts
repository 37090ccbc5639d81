/**
 * The composition root: config → store → blobs → domain → HTTP. `modeldock up` calls
 * startPlatform(); tests call it in-process with a temp data dir.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { openDb, type Db } from './store/db/connect.js';
import { openBlobStore } from './store/blobs/open.js';
import type { BlobStore } from './store/blobs/blob-store.js';
import { buildApp, type ApiPlugin } from './api/app.js';
import { ModelRepository } from './models/model-repository.js';
import { StagingArea } from './files/staging.js';
import { zipLimitsOf } from './files/zip.js';
import { modelsPlugin } from './api/plugins/models.js';
import { runtimesPlugin } from './api/plugins/runtimes.js';
import { storagePlugin } from './api/plugins/storage.js';
import { servicesPlugin } from './api/plugins/services.js';
import { callFacts } from './services/call-facts.js';
import { manifestsPlugin } from './api/plugins/manifests.js';
import type { InstanceBackend } from './backends/backend.js';
import { Autoscaler } from './services/autoscaler.js';
import { LiveDirectory } from './services/live-directory.js';
import type { LogStore } from './logs/log-store.js';
import { closeInOrder, openBackend, openLogging } from './platform-parts.js';
import { Reconciler } from './services/reconciler.js';
import { VersionEnvs } from './services/version-envs.js';
import { PythonEnvs } from './runtime-catalog/python-envs.js';
import { ServiceManager } from './services/service-manager.js';
import { ServicesRepo } from './services/services-repo.js';
import { ServiceMetrics } from './services/service-metrics.js';
import { MetricsHistory } from './services/metrics-history.js';
import { MetricBucketsRepo } from './services/metric-buckets-repo.js';
import { startTracing } from './tracing/tracing.js';
import { BatchStats } from './services/batch-stats.js';
import { Billing } from './billing/billing.js';
import { billingPlugin } from './api/plugins/billing.js';
import { TokenService } from './tokens/tokens.js';
import { tokensPlugin } from './api/plugins/tokens.js';
import { gatewayPlugin, type GatewayDeps } from './gateway/gateway-plugin.js';
import { GatewayCore } from './gateway/gateway-core.js';
import { GrpcGateway } from './gateway/grpc/grpc-gateway.js';
import { templatesPlugin } from './api/plugins/templates.js';
import { tasksPlugin } from './api/plugins/tasks.js';
import { batchJobsPlugin } from './api/plugins/batch-jobs.js';
import { backendView } from './backends/backend-view.js';
import { BatchController } from './batch/batch-controller.js';
import { BatchManager } from './batch/batch-manager.js';
import { BatchRepo } from './batch/batch-repo.js';
import { isBatchInstance } from './batch/instance-pool.js';
import { consolePlugin } from './api/plugins/console.js';
import { LocalTaskRunner } from './backends/local/local-task-runner.js';
import { TaskController } from './tasks/task-controller.js';
import { TaskManager } from './tasks/task-manager.js';
import { TasksRepo } from './tasks/tasks-repo.js';
import { clusterPlugin } from './api/plugins/cluster.js';
import type { LeaderLease } from './cluster/leader-lease.js';
import { startRoles } from './cluster/roles.js';
import { StoreFeed } from './cluster/store-feed.js';
import { TrafficShare } from './cluster/traffic-share.js';
import { RolloutController } from './services/rollouts/rollout-controller.js';
import { RolloutManager } from './services/rollouts/rollout-manager.js';
import { RolloutsRepo } from './services/rollouts/rollouts-repo.js';
import { RolloutWindow } from './services/rollouts/rollout-window.js';
import { readVersionMetric } from './services/rollouts/rollout-metric.js';
import { rolloutsPlugin } from './api/plugins/rollouts.js';
import { replicaId } from './cluster/leader-lease.js';
import { CaptureWriter, type CaptureWriterOptions } from './services/capture/capture-writer.js';
import { CaptureReader } from './services/capture/capture-reader.js';
import { CaptureSeries } from './services/capture/capture-series.js';
import { capturesPlugin } from './api/plugins/captures.js';

export interface Platform {
  readonly config: Config;
  readonly url: string;
  /** host:port of the OIP v2 gRPC service; undefined when it is off (grpcPort 0) */
  readonly grpcAddress?: string;
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly models: ModelRepository;
  readonly log: Logger;
  readonly services: ServiceManager;
  readonly reconciler: Reconciler;
  readonly backend: InstanceBackend;
  readonly directory: LiveDirectory;
  readonly logs: LogStore;
  readonly tasks: TaskManager;
  readonly taskController: TaskController;
  /** batch prediction jobs (docs/batch.md) and their controller, run by the leading replica */
  readonly batch: BatchManager;
  readonly batchController: BatchController;
  /** the reconciler lease: this replica leads when it holds it */
  readonly lease: LeaderLease;
  /** the gRPC data plane (listening once started, unless grpcPort is 0) */
  readonly grpc: GrpcGateway;
  /** progressive rollouts' controller (docs/rollout.md), run by the leading replica */
  readonly rollouts: RolloutController;
  /** payload capture's writer (docs/capture.md): flush() writes what it buffers */
  readonly capture: CaptureWriter;
  close(): Promise<void>;
}

export interface PlatformOptions {
  logger?: Logger;
  /** extra environment for every instance (tests allow loopback image URLs with it) */
  instanceEnv?: Record<string, string>;
  reconcilePeriodMs?: number;
  /** how often instances' batch counts are read for the metrics API (default 5000) */
  batchStatsEveryMs?: number;
  /** how often rollouts are checked against their guardrails (default 1000) */
  rolloutCheckMs?: number;
  /** payload capture's roll sizes and memory bound (tests roll small files quickly) */
  capture?: Partial<CaptureWriterOptions>;
}

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Builds the platform without listening (for in-process tests with inject). */
export async function createPlatform(config: Config, opts: PlatformOptions = {}): Promise<Omit<Platform, 'url' | 'grpcAddress'>> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const db = await openDb(config.databaseUrl);
  const blobs = await openBlobStore(config.blobUrl, config);
  const servicesRepo = new ServicesRepo(db.kysely);
  // model imports and task code share one staging area; imports read task outputs; services pin model versions
  const staging = new StagingArea(config.dataDir);
  const tasksRepo = new TasksRepo(db.kysely);
  const taskRunner = new LocalTaskRunner({ blobs, workRoot: path.join(config.dataDir, 'task-runs'), python: config.pythonPath });
  const taskController = new TaskController({ repo: tasksRepo, runner: taskRunner, blobs, log, periodMs: opts.reconcilePeriodMs });
  const tasks = new TaskManager({ repo: tasksRepo, blobs, staging, config, zipLimits: zipLimitsOf(config.limits), kick: () => taskController.kick() });
  const models = new ModelRepository({ db: db.kysely, blobs, config, log, staging, tasks, usage: servicesRepo });

  const billing = new Billing(db.kysely, config.prices);
  const metrics = new ServiceMetrics();
  const { logs, tags: logTags, delivery, append: appendLog } = openLogging(config, db, log, metrics.registry);
  const autoscaler = new Autoscaler();
  const backend = await openBackend(config, log, blobs, opts.instanceEnv);
  backend.onLog((l) => appendLog({ ts: l.ts, service: l.service, instanceId: l.instanceId, stream: l.stream, line: l.line }));
  // Parts built before the reconciler tell it to look again (a call held for a scaled-to-zero
  // service, a settled Python environment, a change through the API); each part that answers
  // a kick registers once, where it is built.
  const kicked: (() => void)[] = [];
  const kick = () => kicked.forEach((k) => k());
  // a package's requirements.txt is installed on this machine, for the instances it runs
  const pythonEnvs =
    config.instanceBackend === 'kubernetes' ? undefined : new PythonEnvs({ root: path.join(config.dataDir, 'python-envs'), basePython: config.pythonPath });
  // the charts' 10 s buckets go to the store once per bucket, so history survives restarts and spans replicas
  const history = new MetricsHistory({
    repo: new MetricBucketsRepo(db.kysely),
    metrics,
    replica: replicaId(),
    onError: (err) => log.warn({ err }, 'chart history: the store did not answer; kept in memory and written with the next bucket'),
  });
  history.start();
  const tokens = new TokenService({
    db: db.kysely,
    onError: (err) => log.warn({ err }, 'token limit counts: the store did not answer; counting locally until it does'),
  });
  const directory = new LiveDirectory(autoscaler, kick, metrics, tokens);
  const batchStats = new BatchStats({ targets: () => directory.readyTargets(), metrics, everyMs: opts.batchStatsEveryMs });
  batchStats.start();
  const reconciler = new Reconciler({
    repo: servicesRepo,
    models: models.repo,
    // batch jobs' instances are the batch controller's, not strays of a removed version
    backend: backendView(backend, (i) => !isBatchInstance(i)),
    autoscaler,
    log,
    periodMs: opts.reconcilePeriodMs ?? 1_000,
    onObserved: (o) => {
      directory.update(o);
      delivery.update(o);
      logTags.update(o);
    },
    billing,
    ...(pythonEnvs
      ? {
          envs: new VersionEnvs({ envs: pythonEnvs, models: models.repo, blobs }),
          envLog: (service: string, line: string) => appendLog({ ts: new Date().toISOString(), service, instanceId: 'dependencies', stream: 'stdout', line }),
        }
      : {}),
  });
  if (pythonEnvs) pythonEnvs.onSettled = () => kick();
  kicked.push(() => reconciler.kick());
  let baseUrl = `http://${config.host}:${config.port}`;
  const rolloutsRepo = new RolloutsRepo(db.kysely);
  const services = new ServiceManager({
    repo: servicesRepo,
    billing,
    models,
    baseUrl: () => baseUrl,
    kick: () => kick(),
    shadowStats: (name, v) => metrics.shadow.stats(name, String(v)),
    rolloutActive: async (id) => (await rolloutsRepo.current(id))?.active === 1,
  });
  const rolloutController = new RolloutController({
    rollouts: rolloutsRepo,
    services: servicesRepo,
    window: new RolloutWindow(metrics.prom),
    log,
    periodMs: opts.rolloutCheckMs,
    metric: (service, seq, name) => readVersionMetric(directory.readyTargets(), service, seq, name),
    routed: (service, seq) => directory.route(service)?.versions.find((v) => v.seq === seq)?.targets.length ?? 0,
    kick: () => kick(),
  });
  const rollouts = new RolloutManager({ rollouts: rolloutsRepo, services: servicesRepo, manager: services, kick: () => rolloutController.kick() });
  const captureSeries = new CaptureSeries(metrics.prom.registry);
  metrics.onDrop.push((service) => captureSeries.dropService(service));
  const capture = new CaptureWriter({ blobs, replica: replicaId(), log, series: captureSeries }, opts.capture);
  // OpenTelemetry traces, off unless configured (then instances get the URL too)
  const tracing = config.tracing.otlpUrl ? await startTracing(config.tracing.otlpUrl, 'modeldock-gateway') : undefined;
  const gatewayDeps: GatewayDeps = {
    directory,
    tracer: tracing?.tracer,
    capture,
    log,
    maxBodyBytes: config.limits.maxJsonBodyBytes,
    requestTimeoutMs: config.gateway.requestTimeoutMs,
    wakeTimeoutMs: config.gateway.wakeTimeoutMs,
    accessLog: (l) =>
      appendLog({
        ts: l.ts,
        service: l.service,
        instanceId: l.instanceId,
        versionId: l.versionId,
        stream: 'access',
        line: `${l.method} ${l.path} ${l.status} ${l.ms}ms`,
      }),
  };
  // one core for REST and gRPC: the same routes, instance pools, limits and access lines
  const gatewayCore = new GatewayCore(gatewayDeps);
  metrics.prom.setInflightSource(() => gatewayCore.routes.inflight());
  const grpc = new GrpcGateway({ core: gatewayCore, log, version: VERSION, maxMessageBytes: config.limits.maxJsonBodyBytes });

  const batchRepo = new BatchRepo(db.kysely);
  const batchController = new BatchController({ repo: batchRepo, blobs, backend, models: models.repo, log, billing, periodMs: opts.reconcilePeriodMs });
  const batch = new BatchManager({ repo: batchRepo, blobs, models, billing, kick: () => batchController.kick() });
  billing.addHolder((group) => batch.reservedIn(group));

  const plugins: ApiPlugin[] = [
    { plugin: modelsPlugin({ models, config }) },
    { plugin: runtimesPlugin({ config }) },
    { plugin: storagePlugin({ blobs, config }) },
    {
      plugin: servicesPlugin({
        services,
        logs,
        metrics,
        history,
        facts: callFacts({ versionFiles: async (m, v) => ((await models.getVersion(m, v)).files ?? []).map((f) => f.path), route: (n) => directory.route(n) }),
        grpcPort: () => grpc.port,
      }),
    },
    { plugin: capturesPlugin({ services, reader: new CaptureReader(blobs) }) },
    { plugin: rolloutsPlugin({ rollouts }) },
    { plugin: manifestsPlugin({ services, models, config }) },
    { plugin: billingPlugin({ billing, services }) },
    { plugin: tokensPlugin({ tokens }) },
    { plugin: templatesPlugin },
    { plugin: tasksPlugin({ tasks, blobs, config }) },
    { plugin: batchJobsPlugin({ batch }) },
    { plugin: clusterPlugin({ lease: () => lease }) },
    { plugin: consolePlugin },
    { plugin: gatewayPlugin(gatewayDeps, gatewayCore) },
  ];
  const app = await buildApp(
    { logger: log, bodyLimitBytes: config.limits.maxJsonBodyBytes, adminToken: config.adminToken, version: VERSION, timeouts: config.http },
    plugins,
  );
  app.addHook('onListen', async () => {
    const addr = app.server.address();
    if (typeof addr === 'object' && addr) baseUrl = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  });
  // One replica (the lease holder) runs the reconcilers; the others route from the store.
  const feed = new StoreFeed(servicesRepo, (o) => directory.update(o), log);
  const { lease, traffic } = await startRoles(db, config, log, {
    reconciler,
    taskController,
    rollouts: rolloutController,
    batch: batchController,
    backend,
    models,
    feed,
    traffic: (replica) => new TrafficShare(db.kysely, replica, autoscaler, log),
  });
  // a change made through a follower shows in its routes at once, and a call waiting for a
  // scaled-to-zero service there reaches the leader at once
  kicked.push(
    () => traffic.nudge(),
    () => feed.nudge(),
  );
  return {
    config,
    app,
    db,
    blobs,
    models,
    log,
    services,
    reconciler,
    backend,
    directory,
    logs,
    tasks,
    taskController,
    batch,
    batchController,
    lease,
    grpc,
    capture,
    rollouts: rolloutController,
    close: () =>
      closeInOrder(log, [
        ['rollouts', 3_000, () => rolloutController.stop()],
        ['reconciler', 5_000, () => reconciler.stop()],
        ['batch stats', 3_000, () => batchStats.stop()],
        ['routes from the store', 1_000, () => (feed.stop(), traffic.stop())],
        ['task runs', 20_000, () => taskController.stop()],
        ['batch jobs', 10_000, () => batchController.standDown()],
        // released once this replica's singletons are stopped: another replica can lead now
        ['lease', 2_000, () => lease.stop()],
        ['instances', 35_000, () => backend.close()],
        ['grpc', 3_000, () => grpc.close()],
        ['http', 5_000, () => app.close()],
        ['chart history', 3_000, () => history.stop()],
        ['traces', 3_000, () => tracing?.close()],
        ['captures', 10_000, () => capture.close()],
        // open HTTP connections are cut once their grace period is over
        ['connections', 1_000, () => app.server.closeAllConnections?.()],
        ['imports', 5_000, () => models.stop()],
        ['log delivery', 5_000, () => delivery.stop()],
        ['service logs', 5_000, () => logs.close()],
        ['tokens', 2_000, () => tokens.close()],
        ['database', 5_000, () => db.close()],
      ]),
  };
}

/** Starts the platform and listens on config.host:config.port (0 = a free port). */
export async function startPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  checkExposure(config);
  const p = await createPlatform(config, opts);
  let grpcPort: number | undefined;
  try {
    await p.app.listen({ host: config.host, port: config.port });
    if (config.grpcPort !== 0) grpcPort = await p.grpc.listen(config.host, config.grpcPort === 'any' ? 0 : config.grpcPort);
  } catch (e) {
    // e.g. the port is taken: stop what already runs (reconcilers, lease) before failing
    await p.close();
    throw e;
  }
  // Built-in datasets appear in the object store soon after start (and on first use); only
  // once it listens, so a start that fails (a taken port) writes nothing after it returns.
  void p.tasks.ensureDatasets().catch((e) => p.log.warn({ err: e }, 'could not write the built-in datasets'));
  const addr = p.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  const grpcAddress = grpcPort === undefined ? undefined : `${url.slice('http://'.length, url.lastIndexOf(':'))}:${grpcPort}`;
  p.log.info({ url, grpc: grpcAddress, dataDir: config.dataDir, database: config.databaseUrl.split(':')[0] }, `modeldock ${VERSION} listening on ${url}`);
  return { ...p, url, grpcAddress };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The control plane is never exposed beyond loopback without an admin token. */
function checkExposure(config: Config): void {
  if (!LOOPBACK.has(config.host) && !config.adminToken) {
    throw new Error(`refusing to listen on ${config.host} without an admin token: set MODELDOCK_ADMIN_TOKEN (or listen on 127.0.0.1)`);
  }
}
