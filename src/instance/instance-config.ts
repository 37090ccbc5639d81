/**
 * The instance process's config: one object built from flags and MODELDOCK_* variables in
 * one place, validated, then frozen (STYLE.md §8). Bad values throw InstanceArgError
 * (exit code 2).
 */
import path from 'node:path';
import { DEFAULT_IMAGE_POLICY, type ImagePolicy } from './images/image-policy.js';

export interface InstanceOptions {
  modelDir: string;
  runtime: string;
  host: string;
  /** 0: any free port */
  port: number;
  modelName: string;
  /** the batching cap; undefined: the runtime's own (Python's TI_INFERENCE_MAX_BATCH_SIZE), 1 for ONNX */
  maxBatchSize?: number;
  maxQueueDelayMs: number;
  /** requests waiting in the batcher beyond which QUEUE_FULL (503) is answered */
  maxQueue: number;
  threads: number;
  /** per-request deadline unless the request's x-request-timeout-ms header is shorter */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  /** how long SIGTERM waits for in-flight requests */
  drainTimeoutMs: number;
  logLevel: string;
  image: ImagePolicy;
}

export class InstanceArgError extends Error {}

export interface InstanceFlags {
  modelDir?: string;
  runtime?: string;
  host?: string;
  port?: string;
  modelName?: string;
  maxBatchSize?: string;
  maxQueueDelayMs?: string;
  maxQueue?: string;
  threads?: string;
  requestTimeoutMs?: string;
  allowPrivateImageUrls?: boolean;
}

function int(name: string, raw: string | undefined, min: number, max: number, dflt: number): number;
function int(name: string, raw: string | undefined, min: number, max: number, dflt?: number): number | undefined;
function int(name: string, raw: string | undefined, min: number, max: number, dflt?: number): number | undefined {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new InstanceArgError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function instanceOptions(flags: InstanceFlags, env: NodeJS.ProcessEnv = process.env): Readonly<InstanceOptions> {
  if (!flags.modelDir) throw new InstanceArgError('--model-dir is required');
  if (!flags.runtime) throw new InstanceArgError('--runtime is required');
  if (flags.port === undefined) throw new InstanceArgError('--port is required (0 picks a free port)');
  const allowPrivate =
    flags.allowPrivateImageUrls === true || env.MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS === '1' || env.MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS === 'true';
  const image: ImagePolicy = {
    allowPrivateAddresses: allowPrivate,
    fetchTimeoutMs: int('MODELDOCK_IMAGE_FETCH_TIMEOUT_MS', env.MODELDOCK_IMAGE_FETCH_TIMEOUT_MS, 1, 600_000, DEFAULT_IMAGE_POLICY.fetchTimeoutMs),
    maxImageBytes: int('MODELDOCK_IMAGE_MAX_BYTES', env.MODELDOCK_IMAGE_MAX_BYTES, 1, 2 ** 31, DEFAULT_IMAGE_POLICY.maxImageBytes),
    maxRedirects: int('MODELDOCK_IMAGE_MAX_REDIRECTS', env.MODELDOCK_IMAGE_MAX_REDIRECTS, 0, 20, DEFAULT_IMAGE_POLICY.maxRedirects),
    maxPixels: int('MODELDOCK_IMAGE_MAX_PIXELS', env.MODELDOCK_IMAGE_MAX_PIXELS, 1, 2 ** 31, DEFAULT_IMAGE_POLICY.maxPixels),
    maxImagesPerRequest: int('MODELDOCK_IMAGE_MAX_PER_REQUEST', env.MODELDOCK_IMAGE_MAX_PER_REQUEST, 1, 10_000, DEFAULT_IMAGE_POLICY.maxImagesPerRequest),
  };
  const opts: InstanceOptions = {
    modelDir: path.resolve(flags.modelDir),
    runtime: flags.runtime,
    host: flags.host ?? '127.0.0.1',
    port: int('--port', flags.port, 0, 65535, 0),
    modelName: flags.modelName ?? 'm',
    maxBatchSize: int('--max-batch-size', flags.maxBatchSize, 1, 4096),
    maxQueueDelayMs: int('--max-queue-delay-ms', flags.maxQueueDelayMs, 0, 60_000, 0),
    maxQueue: int('--max-queue', flags.maxQueue, 1, 1_000_000, 1024),
    threads: int('--threads', flags.threads, 1, 1024, 1),
    requestTimeoutMs: int('--request-timeout-ms', flags.requestTimeoutMs, 1, 3_600_000, 60_000),
    maxBodyBytes: int('MODELDOCK_INSTANCE_MAX_BODY_BYTES', env.MODELDOCK_INSTANCE_MAX_BODY_BYTES, 1024, 2 ** 31, 64 * 1024 * 1024),
    drainTimeoutMs: int('MODELDOCK_DRAIN_TIMEOUT_MS', env.MODELDOCK_DRAIN_TIMEOUT_MS, 0, 3_600_000, 30_000),
    logLevel: env.MODELDOCK_LOG_LEVEL ?? 'info',
    image,
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(opts.modelName))
    throw new InstanceArgError(`--model-name "${opts.modelName}" must be letters, digits, _, - or . (starting with a letter or digit)`);
  return Object.freeze({ ...opts, image: Object.freeze(image) });
}
