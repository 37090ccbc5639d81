/**
 * The console's only way to the platform: the REST API through the TypeScript SDK
 * (src/client, same origin, the admin token from localStorage), with its
 * {error:{code,message}} answers as ApiError (the SDK's ModeldockError plus form fields).
 */
import { readSse, SseParser, type SseEvent } from '../../src/contracts/sse-parser.js';
import type { ErrorBody } from '../../src/contracts/errors.js';
import { ModeldockClient } from '../../src/client/client.js';
import { ModeldockError } from '../../src/client/errors.js';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends ModeldockError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields: FieldError[] = [],
    details?: unknown,
  ) {
    super(code, status, message, details ?? (fields.length ? { fields } : undefined));
  }
}

const TOKEN_KEY = 'modeldock.adminToken';
export const adminToken = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
export const setAdminToken = (t: string): void => (t ? localStorage.setItem(TOKEN_KEY, t) : localStorage.removeItem(TOKEN_KEY));

/** The SDK client the pages share: no timeout (a call waits as the platform takes, e.g. a cold start). */
export const platform = new ModeldockClient({ baseUrl: '', token: () => adminToken() || undefined, timeoutMs: 0 });

const authHeaders = (): Record<string, string> => platform.http.authHeaders();

/** An SDK error as the console's ApiError (with the form fields its details name). */
function asApiError(e: unknown): unknown {
  if (!(e instanceof ModeldockError) || e instanceof ApiError) return e;
  const fields = (e.details as { fields?: FieldError[] } | undefined)?.fields ?? [];
  return new ApiError(e.status, e.code, e.message, Array.isArray(fields) ? fields : [], e.details);
}

export function toApiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as ErrorBody;
    const details = body.error.details as { fields?: FieldError[] } | undefined;
    return new ApiError(status, body.error.code, body.error.message, details?.fields ?? []);
  } catch {
    return new ApiError(status, 'HTTP_' + status, text.slice(0, 300) || `HTTP ${status}`);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await platform.http.json<T>(method, path, body instanceof FormData ? { body: { data: body } } : { json: body });
  } catch (e) {
    throw asApiError(e);
  }
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);

/** Query string from the defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/** A multipart POST with upload progress (fetch has none). */
export function uploadWithProgress<T>(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
      } else reject(toApiError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'the upload was cut off'));
    xhr.send(form);
  });
}

/** Downloads through fetch (so the admin token goes along), then hands the bytes to the browser. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await platform.http.request('GET', path).catch((e: unknown) => Promise.reject(asApiError(e)));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Errors that name no field but belong to one. */
const CODE_FIELDS: Record<string, string> = {
  INVALID_NAME: 'name',
  MODEL_EXISTS: 'name',
  SERVICE_EXISTS: 'name',
  TASK_EXISTS: 'name',
  UNKNOWN_RUNTIME: 'runtime',
  SOURCE_NOT_FOUND: 'source.path',
  MODEL_NOT_FOUND: 'model',
  VERSION_NOT_FOUND: 'modelVersion',
  VERSION_NOT_READY: 'modelVersion',
  RESOURCE_GROUP_NOT_FOUND: 'resourceGroup',
  NO_CAPACITY: 'resourceGroup',
  RESOURCE_GROUP_EXISTS: 'name',
  EXAMPLE_NOT_FOUND: 'code',
};

/** The message for one form field from an API error (its details.fields), if any. */
export function fieldError(err: unknown, ...fields: string[]): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  for (const f of err.fields) {
    if (fields.some((want) => f.field === want || f.field.startsWith(want + '.'))) return f.message;
  }
  const byCode = CODE_FIELDS[err.code];
  if (byCode && fields.includes(byCode)) return err.message;
  return undefined;
}

/**
 * Follows a text/event-stream route (…/logs/stream) through fetch, so the admin token goes
 * along (EventSource cannot send it); reconnects with Last-Event-ID after a drop.
 * Returns a function that stops it.
 */
export function follow(path: string, onEvent: (e: SseEvent) => void, onError: (e: unknown) => void): () => void {
  const ac = new AbortController();
  const parser = new SseParser();
  void (async () => {
    for (let tries = 0; !ac.signal.aborted; tries++) {
      try {
        const headers: Record<string, string> = {
          accept: 'text/event-stream',
          ...authHeaders(),
          ...(parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}),
        };
        const res = await fetch(path, { headers, signal: ac.signal });
        if (!res.ok) throw toApiError(res.status, await res.text());
        tries = 0;
        let finished = false;
        await readSse(
          res.body!,
          (e) => {
            if (e.event === 'done') finished = true;
            onEvent(e);
          },
          parser,
        );
        if (finished) return;
      } catch (e) {
        if (ac.signal.aborted) return;
        onError(e);
      }
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** tries)));
    }
  })();
  return () => ac.abort();
}
