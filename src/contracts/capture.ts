/**
 * Payload capture (issue 18 §2): what a version captures, and one captured call as it is
 * stored (one JSON line in a capture file) and answered by
 * GET /api/v1/services/{name}/captures. Shared by the API, the CLI and the console.
 */

/** A version's capture setting (ServiceVersionSpec.capture); percent 0 captures nothing. */
export interface CaptureSpec {
  /** share of the version's calls captured, 0–100 (sampled per call) */
  percent: number;
  /** each body is cut to this many bytes and marked truncated (default CAPTURE_DEFAULT_MAX_BODY_BYTES) */
  maxBodyBytes?: number;
}

export const CAPTURE_DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const CAPTURE_MAX_BODY_BYTES_LIMIT = 16 * 1024 * 1024;

/**
 * A request or answer body. In the capture files every body is base64 (`encoding:
 * "base64"`: the exact bytes, written without decoding or escaping them). The browse API
 * answers text types (JSON, text/*) that are valid UTF-8 as text (`encoding: "utf8"`),
 * anything else — OIP binary tensors, images, octet streams — as base64 with its content
 * type. `size` is the whole body's size, `truncated` says the body holds only its first
 * maxBodyBytes.
 */
export interface CapturedBody {
  contentType?: string;
  size: number;
  encoding: 'utf8' | 'base64';
  body: string;
  truncated?: true;
  /** OIP v2 binary tensors: the Inference-Header-Content-Length sent with it */
  headerLength?: string;
}

export interface CaptureRecord {
  /** when the call arrived (ISO 8601, UTC) */
  ts: string;
  service: string;
  /** the service version's number */
  version: number;
  versionId: string;
  /** the instance that served it; absent when none was reached (e.g. a 503 before one answered) */
  instance?: string;
  op: 'predict' | 'infer';
  /** as the client sent it (GRPC for gRPC calls); the path without its query string */
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  /** the stable error code of an error answer */
  errorCode?: string;
  request: CapturedBody;
  response: CapturedBody;
}

/** A record as the browse API answers it: with the file it is in (download it with …/capture-files/{file}). */
export interface CaptureItem extends CaptureRecord {
  file: string;
}

export interface CapturePage {
  items: CaptureItem[];
  /** more may match: pass it as `cursor` for the next page */
  nextCursor?: string;
}

export interface CaptureFile {
  /** relative to the service's captures: <version>/<yyyy>/<mm>/<dd>/<hh>/<stamp>-<replica>-<n>.jsonl */
  file: string;
  version: number;
  size: number;
  /** the time of its first record */
  startedAt: string;
}
