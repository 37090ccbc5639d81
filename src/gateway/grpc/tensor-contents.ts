/**
 * A gRPC tensor's typed `contents` (InferTensorContents) ↔ its raw bytes, the layout of
 * `raw_input_contents` / `raw_output_contents` and of the REST binary tensor extension
 * (src/instance/binary-tensors.ts): row-major, little-endian, BOOL one byte, BYTES each
 * element a 4-byte little-endian length and its bytes. The gateway turns every ModelInfer
 * into the binary REST body, so typed contents become raw bytes here, and raw outputs
 * become typed contents again for a client that sent typed contents.
 */
import { DomainError } from '../../contracts/errors.js';
import { GRPC_CONTENTS_FIELD, type OipDatatype } from '../../contracts/oip.js';
import { lengthPrefixed } from '../../instance/binary-tensors.js';
import { floatsToHalf } from '../../contracts/fp16.js';
import { elementCount, TYPED } from '../../instance/tensors.js';

/** InferTensorContents as proto-loader gives it (keepCase; 64-bit integers as strings). */
export interface Contents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: (string | number)[];
  uint_contents?: number[];
  uint64_contents?: (string | number)[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}
type Field = keyof Contents;

/** The typed field of each datatype (FP16 and BF16 have none: they travel raw only). */
const FIELD: Partial<Record<string, Field>> = GRPC_CONTENTS_FIELD;
const FIELDS = Object.keys({
  bool_contents: 0,
  int_contents: 0,
  int64_contents: 0,
  uint_contents: 0,
  uint64_contents: 0,
  fp32_contents: 0,
  fp64_contents: 0,
  bytes_contents: 0,
}) as Field[];
/** value ranges of the integer datatypes narrower than their proto field */
const NARROW: Partial<Record<string, readonly [number, number]>> = { INT8: [-128, 127], INT16: [-32768, 32767], UINT8: [0, 255], UINT16: [0, 65535] };

const bad = (msg: string) => new DomainError('INVALID_TENSOR', msg);

/** Whether a datatype has a typed contents field (else it can only travel raw). */
export const hasTypedField = (datatype: string): boolean => FIELD[datatype] !== undefined;

/** The typed contents of a tensor as raw bytes; throws INVALID_TENSOR when they do not fit its datatype and shape. */
export function contentsToRaw(datatype: string, shape: readonly number[], contents: Contents, where: string): Buffer {
  const field = FIELD[datatype];
  if (field === undefined) {
    if (datatype === 'FP16' || datatype === 'BF16') throw bad(`${where}: ${datatype} has no typed contents field; send it in raw_input_contents`);
    throw bad(`${where}: unknown datatype "${datatype}"`);
  }
  const other = FIELDS.find((f) => f !== field && (contents[f]?.length ?? 0) > 0);
  if (other !== undefined) throw bad(`${where}: a ${datatype} tensor takes its values in contents.${field}, not contents.${other}`);
  const values = (contents[field] ?? []) as unknown[];
  const n = elementCount(shape);
  if (values.length !== n) throw bad(`${where}: shape [${shape.join(', ')}] holds ${n} values, contents.${field} has ${values.length}`);
  if (datatype === 'BYTES') return lengthPrefixed(values as Uint8Array[]);
  if (datatype === 'BOOL') return Buffer.from(Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0)));
  const range = NARROW[datatype];
  if (range) {
    const i = (values as number[]).findIndex((v) => v < range[0] || v > range[1]);
    if (i >= 0) throw bad(`${where}: ${datatype} values must be from ${range[0]} to ${range[1]} (item ${i} is ${String(values[i])})`);
  }
  const Ctor = TYPED[datatype as Exclude<OipDatatype, 'BYTES'>];
  const out = new Ctor(n);
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const big = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) big[i] = BigInt(values[i] as string);
  } else {
    (out as Float32Array).set(values as number[]);
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Raw bytes of a tensor as its typed contents, or undefined for a datatype without a typed field. */
export function rawToContents(datatype: string, bytes: Uint8Array): Contents | undefined {
  const field = FIELD[datatype];
  if (field === undefined) return undefined;
  if (datatype === 'BYTES') return { bytes_contents: splitLengthPrefixed(bytes) };
  if (datatype === 'BOOL') return { bool_contents: Array.from(bytes, (b) => b !== 0) };
  const Ctor = TYPED[datatype as Exclude<OipDatatype, 'BYTES'>];
  // copied: a typed array needs its element alignment, the bytes may sit at any offset
  const view = new Ctor(Math.floor(bytes.length / Ctor.BYTES_PER_ELEMENT));
  new Uint8Array(view.buffer).set(bytes.subarray(0, view.byteLength));
  const values = view instanceof BigInt64Array || view instanceof BigUint64Array ? Array.from(view, String) : Array.from(view as Float32Array);
  return { [field]: values } as Contents;
}

/** An output that came back as JSON `data` (not raw) as raw bytes. */
export function jsonToRaw(datatype: string, data: unknown[]): Buffer {
  const flat = (Array.isArray(data[0]) ? data.flat(32) : data) as unknown[];
  if (datatype === 'BYTES') return lengthPrefixed(flat.map((v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8')));
  if (datatype === 'BOOL') return Buffer.from(Uint8Array.from(flat, (v) => (v ? 1 : 0)));
  if (datatype === 'FP16') {
    const half = floatsToHalf(flat as number[]);
    return Buffer.from(half.buffer, half.byteOffset, half.byteLength);
  }
  const Ctor = TYPED[datatype as Exclude<OipDatatype, 'BYTES'>];
  if (!Ctor) throw new DomainError('MODEL_ERROR', `the model answered an output of unknown datatype "${datatype}"`);
  const out = new Ctor(flat.length);
  if (datatype === 'INT64' || datatype === 'UINT64') for (let i = 0; i < flat.length; i++) (out as BigInt64Array)[i] = BigInt(flat[i] as number);
  else (out as Float32Array).set(flat as number[]);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function splitLengthPrefixed(bytes: Uint8Array): Buffer[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  for (let at = 0; at + 4 <= b.length;) {
    const len = b.readUInt32LE(at);
    out.push(b.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
