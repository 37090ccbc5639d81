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
