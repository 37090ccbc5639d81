/**
 * OIP v2 tensors on the client side, browser-safe (Uint8Array, DataView, TextEncoder): the
 * binary tensor data extension's body — the JSON part, then each binary input's raw bytes
 * (little-endian, row-major; FP16 as half bits; BOOL one byte; BYTES 4-byte length + bytes)
 * — and the decoding of an answer's binary outputs back into numbers or strings.
 */
import type { OipDatatype, OipInferRequest, OipInferResponse, OipRequestInput, OipResponseOutput } from '../contracts/oip.js';
import { floatToHalfBits, halfBitsToFloat } from '../contracts/fp16.js';

/** Half-precision bits of a number, and the number half bits stand for (OIP v2 FP16). */
export { floatToHalfBits as toHalf, halfBitsToFloat as fromHalf };

type Numeric = Exclude<OipDatatype, 'BYTES'>;
const SIZES: Record<Numeric, number> = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 };

/** An input whose values go as raw bytes: a typed array, or plain numbers/strings packed per its datatype. */
export interface BinaryInput extends Omit<OipRequestInput, 'data'> {
  data: ArrayBufferView | ArrayLike<number | bigint | boolean | string>;
}

/** An answer with its binary outputs decoded into `data` (numbers; bigint for 64-bit ints; strings for BYTES). */
export type InferAnswer = OipInferResponse & { outputs: (OipResponseOutput & { data: unknown[] })[] };

/** The raw bytes of one input. */
export function tensorBytes(input: BinaryInput): Uint8Array {
  const { data, datatype } = input;
  if (datatype === 'BYTES') {
    const enc = new TextEncoder();
    const parts = Array.from(data as ArrayLike<string>, (s) => enc.encode(String(s)));
    const out = new Uint8Array(parts.reduce((a, p) => a + 4 + p.length, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const p of parts) {
      view.setUint32(at, p.length, true);
      out.set(p, at + 4);
      at += 4 + p.length;
    }
    return out;
  }
  if (ArrayBuffer.isView(data) && !(datatype === 'FP16' && data instanceof Float32Array)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const values = Array.from(data as ArrayLike<number | bigint | boolean>);
  const size = SIZES[datatype as Numeric];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => writeValue(view, i * size, datatype as Numeric, v));
  return out;
}

function writeValue(view: DataView, at: number, type: Numeric, v: number | bigint | boolean): void {
  const n = Number(v);
  switch (type) {
    case 'BOOL':
      return view.setUint8(at, v ? 1 : 0);
    case 'UINT8':
      return view.setUint8(at, n);
    case 'INT8':
      return view.setInt8(at, n);
    case 'UINT16':
      return view.setUint16(at, n, true);
    case 'INT16':
      return view.setInt16(at, n, true);
    case 'FP16':
      return view.setUint16(at, floatToHalfBits(n), true);
    case 'UINT32':
      return view.setUint32(at, n, true);
    case 'INT32':
      return view.setInt32(at, n, true);
    case 'FP32':
      return view.setFloat32(at, n, true);
    case 'FP64':
      return view.setFloat64(at, n, true);
    case 'UINT64':
      return view.setBigUint64(at, BigInt(v), true);
    case 'INT64':
      return view.setBigInt64(at, BigInt(v), true);
  }
}

/** Decodes raw little-endian bytes of a tensor into values. */
export function decodeTensor(datatype: OipDatatype, bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (datatype === 'BYTES') {
    const dec = new TextDecoder();
    const out: string[] = [];
    for (let at = 0; at + 4 <= bytes.length;) {
      const len = view.getUint32(at, true);
      out.push(dec.decode(bytes.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    return out;
  }
  const size = SIZES[datatype];
  const out: unknown[] = new Array(Math.floor(bytes.length / size));
  for (let i = 0; i < out.length; i++) {
    const at = i * size;
    switch (datatype) {
      case 'BOOL':
        out[i] = view.getUint8(at) !== 0;
        break;
      case 'UINT8':
        out[i] = view.getUint8(at);
        break;
      case 'INT8':
        out[i] = view.getInt8(at);
        break;
      case 'UINT16':
        out[i] = view.getUint16(at, true);
        break;
      case 'INT16':
        out[i] = view.getInt16(at, true);
        break;
      case 'FP16':
        out[i] = halfBitsToFloat(view.getUint16(at, true));
        break;
      case 'UINT32':
        out[i] = view.getUint32(at, true);
        break;
      case 'INT32':
        out[i] = view.getInt32(at, true);
        break;
      case 'FP32':
        out[i] = view.getFloat32(at, true);
        break;
      case 'FP64':
        out[i] = view.getFloat64(at, true);
        break;
      case 'UINT64':
        out[i] = view.getBigUint64(at, true);
        break;
      case 'INT64':
        out[i] = view.getBigInt64(at, true);
        break;
    }
  }
  return out;
}

/** A request with binary inputs → its body and the Inference-Header-Content-Length. */
export function packInfer(req: Omit<OipInferRequest, 'inputs'> & { inputs: BinaryInput[] }): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const parts = req.inputs.map(tensorBytes);
  const inputs = req.inputs.map(({ data: _data, ...head }, i) => ({ ...head, parameters: { ...head.parameters, binary_data_size: parts[i]!.length } }));
  const head = new TextEncoder().encode(JSON.stringify({ ...req, inputs }));
  const body = new Uint8Array(head.length + parts.reduce((a, p) => a + p.length, 0));
  body.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return { body, headerLength: head.length };
}

/** An answer's body → the JSON with each binary output's `data` decoded (headerLength: undefined when all JSON). */
export function unpackInfer(body: Uint8Array, headerLength: number | undefined): InferAnswer {
  const n = headerLength ?? body.length;
  const json = JSON.parse(new TextDecoder().decode(body.subarray(0, n))) as InferAnswer;
  let at = n;
  for (const o of json.outputs) {
    const size = (o.parameters as { binary_data_size?: number } | undefined)?.binary_data_size;
    if (size === undefined || o.data !== undefined) continue;
    o.data = decodeTensor(o.datatype, body.subarray(at, at + size));
    at += size;
  }
  return json;
}
