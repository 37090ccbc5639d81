/**
 * ModelInfer ↔ the REST call the gateway already makes (one data path): a ModelInferRequest
 * becomes the OIP v2 binary tensor body of `POST /v2/models/{m}/infer` (the JSON part with
 * each input's `binary_data_size`, then the inputs' raw bytes; every output asked for raw),
 * and the instance's answer becomes a ModelInferResponse: `raw_output_contents` when the
 * client sent raw inputs, typed `contents` when it sent typed ones (raw again for a
 * datatype without a typed field, FP16).
 */
import { DomainError } from '../../contracts/errors.js';
import { OIP_HEADER_LENGTH, type OipInferResponse, type OipResponseOutput } from '../../contracts/oip.js';
import { packBinary, unpackBinary } from '../../instance/binary-tensors.js';
import type { Outcome } from '../gateway-core.js';
import { contentsToRaw, hasTypedField, jsonToRaw, rawToContents, type Contents } from './tensor-contents.js';

/** InferParameter as proto-loader decodes it (`oneofs: true` names the field set). */
export interface GrpcParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param';
  bool_param?: boolean;
  int64_param?: string | number;
  string_param?: string;
}
type GrpcParameters = Record<string, GrpcParameter>;

export interface GrpcInferInput {
  name: string;
  datatype: string;
  shape: (string | number)[];
  parameters?: GrpcParameters;
  contents?: Contents | null;
}

export interface GrpcInferRequest {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: GrpcParameters;
  inputs?: GrpcInferInput[];
  outputs?: { name: string; parameters?: GrpcParameters }[];
  raw_input_contents?: Uint8Array[];
}

export interface GrpcInferOutput {
  name: string;
  datatype: string;
  shape: number[];
  parameters: GrpcParameters;
  contents?: Contents;
}

export interface GrpcInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: GrpcParameters;
  outputs: GrpcInferOutput[];
  raw_output_contents: Buffer[];
}

const bad = (msg: string) => new DomainError('INVALID_TENSOR', msg);

/** An InferParameter's value as JSON (64-bit integers as numbers where they fit). */
export function parameterValue(p: GrpcParameter): unknown {
  if (p.parameter_choice === 'bool_param' || (p.parameter_choice === undefined && p.bool_param !== undefined)) return p.bool_param;
  if (p.parameter_choice === 'int64_param' || (p.parameter_choice === undefined && p.int64_param !== undefined)) {
    const n = Number(p.int64_param);
    return Number.isSafeInteger(n) ? n : String(p.int64_param);
  }
  return p.string_param ?? '';
}

export function fromParameters(ps: GrpcParameters | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(ps ?? {})) out[k] = parameterValue(p);
  return out;
}

/** JSON values as InferParameters: booleans, integers, strings (anything else as its JSON text). */
export function toParameters(values: Record<string, unknown> | undefined, skip?: string): GrpcParameters {
  const out: GrpcParameters = {};
  for (const [k, v] of Object.entries(values ?? {})) {
    if (k === skip || v === undefined || v === null) continue;
    if (typeof v === 'boolean') out[k] = { bool_param: v };
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = { int64_param: v };
    else out[k] = { string_param: typeof v === 'string' ? v : JSON.stringify(v) };
  }
  return out;
}

/** A shape's dimensions as numbers (proto-loader gives int64 as strings). */
const dims = (shape: (string | number)[] | undefined): number[] => (shape ?? []).map(Number);

/**
 * The REST body of a ModelInfer (binary tensor extension). `raw`: whether the inputs came
 * raw, so the answer goes back raw. Throws INVALID_TENSOR for a request that is not a
 * consistent one (raw and typed mixed, a raw entry per input missing, contents that do not fit).
 */
export function inferBody(req: GrpcInferRequest): { body: Buffer; headerLength: string; raw: boolean } {
  const inputs = req.inputs ?? [];
  const rawParts = req.raw_input_contents ?? [];
  const raw = rawParts.length > 0;
  if (raw && rawParts.length !== inputs.length)
    throw bad(`raw_input_contents has ${rawParts.length} entries for ${inputs.length} inputs: give one per input, in the order of inputs`);
  const parts: Uint8Array[] = [];
  const jsonInputs = inputs.map((input, i) => {
    const where = `input "${input.name}"`;
    const shape = dims(input.shape);
    let bytes: Uint8Array;
    if (raw) {
      if (hasContents(input.contents)) throw bad(`${where}: has contents while the request uses raw_input_contents; use one or the other for every input`);
      bytes = rawParts[i]!;
    } else {
      bytes = contentsToRaw(input.datatype, shape, input.contents ?? {}, where);
    }
    parts.push(bytes);
    return { name: input.name, shape, datatype: input.datatype, parameters: { ...fromParameters(input.parameters), binary_data_size: bytes.length } };
  });
  const json: Record<string, unknown> = { parameters: { ...fromParameters(req.parameters), binary_data_output: true }, inputs: jsonInputs };
  if (req.id) json.id = req.id;
  if (req.outputs?.length) json.outputs = req.outputs.map((o) => ({ name: o.name, parameters: { ...fromParameters(o.parameters), binary_data: true } }));
  return { ...packBinary(json, parts), raw };
}

function hasContents(c: Contents | null | undefined): boolean {
  if (!c) return false;
  return Object.values(c).some((v) => Array.isArray(v) && v.length > 0);
}

/** A 200 answer of the instance (binary or JSON) as a ModelInferResponse. */
export function inferResponse(o: Outcome, modelName: string, raw: boolean): GrpcInferResponse {
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
  let json: OipInferResponse;
  let bytes: Record<string, Buffer> = {};
  try {
    if (o.headerLength !== undefined) {
      const u = unpackBinary(body, o.headerLength);
      json = u.json as unknown as OipInferResponse;
      bytes = u.bytes;
    } else {
      json = JSON.parse(body.toString('utf8')) as OipInferResponse;
    }
  } catch (e) {
    throw new DomainError(
      'MODEL_ERROR',
      `the instance's answer is not an OIP v2 infer response (${OIP_HEADER_LENGTH}: ${o.headerLength ?? 'none'}): ${(e as Error).message}`,
    );
  }
  const outs = Array.isArray(json?.outputs) ? json.outputs : [];
  const data = outs.map((out: OipResponseOutput) => bytes[out.name] ?? jsonToRaw(out.datatype, out.data ?? []));
  const typed = !raw && outs.every((out) => hasTypedField(out.datatype));
  const outputs = outs.map((out, i): GrpcInferOutput => {
    const g: GrpcInferOutput = { name: out.name, datatype: out.datatype, shape: out.shape, parameters: toParameters(out.parameters, 'binary_data_size') };
    if (typed) g.contents = rawToContents(out.datatype, data[i]!);
    return g;
  });
  return {
    model_name: json.model_name ?? modelName,
    model_version: json.model_version ?? '',
    id: json.id ?? '',
    parameters: toParameters(json.parameters),
    outputs,
    raw_output_contents: typed ? [] : data,
  };
}
