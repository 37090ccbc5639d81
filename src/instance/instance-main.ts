/**
 * The instance process (`modeldock instance`): load the package with its runtime, serve
 * it over HTTP, print one `{"event":"ready","port":P,"pid":…}` line on stdout once
 * listening and loaded. Load failure: reason on stderr, exit 3. SIGTERM (or stdin closing
 * when MODELDOCK_EXIT_WITH_STDIN=1): stop accepting, drain in-flight requests, exit 0.
 */
import { startTracing } from '../tracing/tracing.js';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { DataPlane } from './data-plane.js';
import type { InstanceOptions } from './instance-config.js';
import { createInstanceMetrics } from './instance-metrics.js';
import type { LoadContext, Runtime } from './runtime.js';
import { selectRuntime } from './runtimes/select-runtime.js';
import { stderrDestination } from './stderr-destination.js';
import { createInstanceServer } from './server/instance-server.js';

export const EXIT_LOAD_FAILED = 3;
export const EXIT_BAD_ARGS = 2;

export async function runInstance(opts: Readonly<InstanceOptions>): Promise<void> {
  const tiedToPlatform = process.env.MODELDOCK_EXIT_WITH_STDIN === '1';
  const logger = pino(
    { name: 'modeldock-instance', level: opts.logLevel, base: { pid: process.pid, model: opts.modelName } },
    stderrDestination(() => tiedToPlatform && process.exit(0)),
  );
  const log: LoadContext['log'] = (level, msg, fields) => logger[level](fields ?? {}, msg);
  process.on('unhandledRejection', (e) => log('error', 'unhandled rejection', { err: String((e as Error)?.stack ?? e) }));
  if (tiedToPlatform) exitWithPlatform();

  let runtime: Runtime;
  try {
    runtime = await selectRuntime(opts.runtime, opts.modelDir, opts.image);
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    await runtime.load({ modelDir: opts.modelDir, modelName: opts.modelName, env, threads: opts.threads, maxBatchSize: opts.maxBatchSize ?? 1, log });
  } catch (e) {
    process.stderr.write(`modeldock instance: model load failed (${opts.runtime}, ${opts.modelDir}): ${(e as Error)?.message ?? String(e)}\n`);
    logger.flush();
    process.exit(EXIT_LOAD_FAILED);
  }

  let ready = false;
  let draining = false;
  let plane: DataPlane | undefined;
  const metrics = createInstanceMetrics(() => plane?.queued ?? 0);
  plane = new DataPlane(runtime, {
    modelName: opts.modelName,
    maxBatchSize: opts.maxBatchSize,
    maxQueueDelayMs: opts.maxQueueDelayMs,
    maxQueue: opts.maxQueue,
    onBatch: (rows) => metrics.batch(rows),
  });
  // OpenTelemetry traces when the platform passes a collector's URL (the SDK loads only then)
  const otlpUrl = process.env.MODELDOCK_OTLP_TRACES_URL;
  const tracing = otlpUrl ? await startTracing(otlpUrl, 'modeldock-instance') : undefined;
  const server = createInstanceServer({
    plane,
    metrics,
    modelName: opts.modelName,
    maxBodyBytes: opts.maxBodyBytes,
    requestTimeoutMs: opts.requestTimeoutMs,
    log,
    isReady: () => ready && !draining,
    isDraining: () => draining,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  }).catch((e: Error) => {
    process.stderr.write(`modeldock instance: cannot listen on ${opts.host}:${opts.port}: ${e.message}\n`);
    process.exit(EXIT_LOAD_FAILED);
  });
  const port = (server.address() as AddressInfo).port;
  ready = true;
  log('info', 'instance ready', { port, runtime: runtime.id, batchSize: plane.batchSize });
  process.stdout.write(`${JSON.stringify({ event: 'ready', port, pid: process.pid })}\n`);

  const shutdown = (why: string) => {
    if (draining) return;
    draining = true;
    log('info', 'draining', { why });
    const force = setTimeout(() => server.closeAllConnections(), opts.drainTimeoutMs);
    force.unref();
    server.close(async () => {
      clearTimeout(force);
      await plane!.drained();
      await runtime.close().catch((e: Error) => log('warn', 'runtime close failed', { err: e.message }));
      await tracing?.close().catch((e: Error) => log('warn', 'traces: the last batch was not taken', { err: e.message }));
      log('info', 'stopped');
      logger.flush();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * With MODELDOCK_EXIT_WITH_STDIN=1, exits once the platform that started us is gone (our
 * stdin closes, or a log line finds stderr's reader gone): nobody routes calls here or
 * reads our logs, and the calls in flight came over its sockets, which died with it.
 * Watched from the start, so an instance still loading (a slow or hung load) does not
 * outlive a killed platform either.
 */
function exitWithPlatform(): void {
  const orphaned = () => process.exit(0);
  process.stdin.on('end', orphaned);
  process.stdin.on('error', orphaned);
  process.stdin.resume();
}
