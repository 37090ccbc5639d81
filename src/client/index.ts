/** The TypeScript SDK (browser-safe core): `new ModeldockClient({ baseUrl, token })`. */
export { ModeldockClient } from './client.js';
export { ModeldockError } from './errors.js';
export { HttpClient, DEFAULT_TIMEOUT_MS, encodePath, type ClientOptions, type RawBody, type RequestOptions, type QueryValue } from './http.js';
export type { ListModelsQuery, ModelWithVersions, VersionSpec } from './models.js';
export type { LogsQuery, ServiceCreate, VersionInput, WaitOptions } from './services.js';
export type { TaskLogsPage } from './tasks.js';
export type { CallOptions, InferOptions } from './calls.js';
export { sseEvents, type SseEvent } from './sse.js';
export { decodeTensor, fromHalf, packInfer, tensorBytes, toHalf, unpackInfer, type BinaryInput, type InferAnswer } from './tensors.js';
