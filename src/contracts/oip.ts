/**
 * Open Inference Protocol v2 (KServe / Triton) JSON types, shared by the instance,
 * the gateway, clients and tests. https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/
 */

/** The binary tensor data extension's header: the byte length of the JSON part of a body (lowercase, as node gives headers). */
export const OIP_HEADER_LENGTH = 'inference-header-content-length';

export const OIP_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type OipDatatype = (typeof OIP_DATATYPES)[number];

export interface OipTensorMetadata {
  name: string;
  datatype: OipDatatype;
  /** -1 for a dynamic dimension */
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  versions?: string[];
  platform: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

export interface OipRequestInput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  parameters?: Record<string, unknown>;
  /** absent when the input's bytes follow the JSON part (`parameters.binary_data_size`) */
  data?: unknown[];
}

export interface OipRequestOutput {
  name: string;
  parameters?: Record<string, unknown>;
}

export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipRequestInput[];
  outputs?: OipRequestOutput[];
}

export interface OipResponseOutput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  parameters?: Record<string, unknown>;
  /** absent when the output was asked for as binary (`parameters.binary_data_size` then gives its bytes) */
  data?: unknown[];
}

export interface OipInferResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: OipResponseOutput[];
}

/** Server metadata (`GET /v2`), as the protocol has it. */
export interface OipServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** The protocol extensions the REST data plane speaks (binary tensor data, as Triton names it). */
export const OIP_EXTENSIONS = ['binary_tensor_data'] as const;

/** The response header carrying modeldock's stable error code on every error answer of the /v2 routes. */
export const ERROR_CODE_HEADER = 'x-modeldock-error-code';

/**
 * An error answer on the /v2 routes: the protocol's `{"error": "message"}`, with modeldock's
 * stable `code` (and the 5xx `id`, any `details`) beside it. The other routes answer
 * `{"error": {"code", "message"}}` (docs/errors.md).
 */
export interface OipErrorBody {
  error: string;
  code: string;
  id?: string;
  details?: unknown;
}

export function oipErrorBody(e: { code: string; message: string; id?: string; details?: unknown }): OipErrorBody {
  return { error: e.message, code: e.code, ...(e.id ? { id: e.id } : {}), ...(e.details !== undefined ? { details: e.details } : {}) };
}

/** Whether a request path is on the OIP v2 REST surface (its errors take the protocol's shape). */
export const isOipPath = (url: string): boolean => url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?');

/** The typed field of gRPC's InferTensorContents (grpc_predict_v2.proto) for each datatype; FP16 and BF16 have none and travel raw only. */
export const GRPC_CONTENTS_FIELD = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
} as const satisfies Partial<Record<OipDatatype, string>>;
