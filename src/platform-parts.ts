/**
 * The parts of the composition root that stand on their own: the instance backend the
 * config names, the logging pipeline (store, tags, sinks), and shutdown in a fixed order
 * with every step bounded. platform.ts builds the rest in dependency order and hands these
 * what they need, so createPlatform reads as the list of what the platform is made of.
 */
import path from 'node:path';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { InstanceBackend } from './backends/backend.js';
import { KubernetesBackend } from './backends/kubernetes/kubernetes-backend.js';
import { openCluster } from './backends/kubernetes/open-cluster.js';
import { LocalBackend } from './backends/local/local-backend.js';
import { LogDelivery } from './logs/log-delivery.js';
import type { LogStore, NewLogLine } from './logs/log-store.js';
import { LogTags } from './logs/log-tags.js';
import { openLogStore } from './logs/open-log-store.js';
import { BlobCache } from './store/blobs/blob-cache.js';
import type { BlobStore } from './store/blobs/blob-store.js';
import type { Db } from './store/db/connect.js';

/** Local child processes, or pods on the Kubernetes cluster the config names. */
export async function openBackend(config: Config, log: Logger, blobs: BlobStore, instanceEnv: Record<string, string> | undefined): Promise<InstanceBackend> {
  if (config.instanceBackend === 'kubernetes') {
    return new KubernetesBackend({
      cluster: await openCluster(config.kubernetes.namespace),
      settings: config.kubernetes,
      onError: (e) => log.warn({ err: e }, 'kubernetes: could not read pods'),
      onLogError: (e) => log.debug({ err: e }, 'kubernetes: could not follow a pod log; retrying'),
    });
  }
  // instances read a folder store in place; a remote store's files are fetched once per version
  const cache = new BlobCache(blobs, path.join(config.dataDir, 'cache', 'models'));
  const modelDir = blobs.localPath ? blobs.localPath.bind(blobs) : (key: string) => cache.dir(key);
  const tracing: Record<string, string> = config.tracing.otlpUrl ? { MODELDOCK_OTLP_TRACES_URL: config.tracing.otlpUrl } : {};
  return new LocalBackend({ blobPath: modelDir, env: { ...instanceEnv, ...tracing } });
}

export interface Logging {
  logs: LogStore;
  tags: LogTags;
  delivery: LogDelivery;
  /** every line: tagged (version, level), kept in the log store, handed to the sinks */
  append(l: NewLogLine & { versionId?: string }): void;
}

export function openLogging(config: Config, db: Db, log: Logger, registry: Registry): Logging {
  const logs = openLogStore(config, db, log);
  logs.start();
  const tags = new LogTags();
  const delivery = new LogDelivery(log, { sinks: config.logs.sinks, dataDir: config.dataDir, registry, bufferLines: config.logs.sinkBufferLines });
  delivery.start();
  return {
    logs,
    tags,
    delivery,
    append(l) {
      const line = tags.tag(l);
      logs.append(line);
      delivery.accept(line);
    },
  };
}

export type ShutdownStep = [name: string, ms: number, stop: () => Promise<unknown> | void];

/**
 * Runs the steps in order, each bounded and named, so a stuck part shows in the log instead
 * of hanging shutdown; a step that fails is logged and the next one runs.
 */
export async function closeInOrder(log: Logger, steps: ShutdownStep[]): Promise<void> {
  for (const [name, ms, stop] of steps) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
    const run = (async () => stop())().catch((e) => log.warn({ err: e, step: name }, 'shutdown step failed'));
    const res = await Promise.race([run, late]);
    clearTimeout(timer);
    if (res === 'late') log.warn({ step: name, ms }, 'shutdown step is taking too long; going on');
  }
}
