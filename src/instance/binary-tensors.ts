/**
 * The OIP v2 binary tensor data extension (KServe / Triton): a request body is a JSON infer
 * request of `Inference-Header-Content-Length` bytes followed by the raw bytes of the inputs
 * that carry `"parameters": {"binary_data_size": n}` instead of `"data"`, in input order.
 * Outputs come back raw when the request asks (`"parameters": {"binary_data": true}` on an
 * output, or `"binary_data_output": true` on the request): the answer is then the JSON
 * header (those outputs with `binary_data_size`, no `data`) followed by their bytes.
 *
 * Raw bytes are little-endian, row-major; FP16 as IEEE half bits; BOOL one byte (0 or 1);
 * BYTES each element as a 4-byte little-endian length and its bytes. Float values are taken
 * as sent (NaN included: JSON cannot carry them, raw bytes can).
 */
import { DomainError } from '../contracts/errors.js';
import { OIP_HEADER_LENGTH, type OipDatatype, type OipInferRequest, type OipRequestInput, type OipResponseOutput } from '../contracts/oip.js';
import type { Tensor } from './runtime.js';
import { checkHead, decodeInput, elementCount, encodeOutput, TYPED } from './tensors.js';
import { checkJsonDepth } from '../http/json-depth.js';

const bad = (msg: string) => new DomainError('INVALID_TENSOR', msg);

/** Splits a binary-extension body into its JSON request and the bytes after it. */
export function splitBody(body: Buffer, headerLength: string): { request: unknown; binary: Buffer } {
  const n = /^[0-9]{1,15}$/.test(headerLength.trim()) ? Number(headerLength.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 2 || n > body.length) {
    throw bad(`${OIP_HEADER_LENGTH} must be the byte length of the JSON part (2 to ${body.length} for this body), got "${headerLength.slice(0, 40)}"`);
  }
  let request: unknown;
  try {
    request = JSON.parse(body.subarray(0, n).toString('utf8'));
  } catch (e) {
    throw new DomainError('INVALID_JSON', `the first ${n} bytes (${OIP_HEADER_LENGTH}) are not valid JSON: ${(e as Error).message}`);
  }
  return { request: checkJsonDepth(request, `the JSON part (${OIP_HEADER_LENGTH})`), binary: body.subarray(n) };
}

/** The declared size of an input's binary data, or undefined when it carries JSON `data`. */
function binarySize(input: OipRequestInput, where: string): number | undefined {
  const size = (input?.parameters as { binary_data_size?: unknown } | undefined)?.binary_data_size;
  if (size === undefined) return undefined;
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw bad(`${where}: "binary_data_size" must be a non-negative integer`);
  if (input.data !== undefined) throw bad(`${where}: give either "data" or "binary_data_size", not both`);
  return size as number;
}

/** Inputs of a request, JSON or binary (`binary`: the bytes after the JSON part, if any). */
export function decodeInputs(inputs: OipRequestInput[], binary: Buffer | undefined): Tensor[] {
  let offset = 0;
  const out = inputs.map((input) => {
    const where = `input "${input?.name}"`;
    const size = binary === undefined ? undefined : binarySize(input, where);
    if (size === undefined) return decodeInput(input, where);
    if (offset + size > binary!.length) throw bad(`${where}: "binary_data_size" ${size} runs past the end of the body (${binary!.length - offset} bytes left)`);
    const bytes = binary!.subarray(offset, offset + size);
    offset += size;
    return decodeRaw(input, bytes, where);
  });
  if (binary !== undefined && offset !== binary.length)
    throw bad(`${binary.length - offset} bytes after the JSON part belong to no input (binary_data_size adds up to ${offset})`);
  return out;
}

function decodeRaw(input: OipRequestInput, bytes: Buffer, where: string): Tensor {
  const { datatype, shape } = checkHead(input, where);
  const n = elementCount(shape);
  if (datatype === 'BYTES') return { name: input.name, datatype, shape: [...shape], data: readStrings(bytes, n, where) };
  const Ctor = TYPED[datatype as Exclude<OipDatatype, 'BYTES'>];
  if (!Ctor) throw bad(`${where}: unknown datatype "${String(datatype)}"`);
  const want = n * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length !== want) throw bad(`${where}: shape [${shape.join(', ')}] of ${datatype} takes ${want} bytes, "binary_data_size" is ${bytes.length}`);
  // copied: the body's bytes may sit at any offset, a typed array needs its element alignment
  const data = new Ctor(n);
  new Uint8Array(data.buffer).set(bytes);
  if (datatype === 'BOOL' && (data as Uint8Array).some((v) => v > 1)) throw bad(`${where}: BOOL bytes must be 0 or 1`);
  return { name: input.name, datatype, shape: [...shape], data };
}

function readStrings(bytes: Buffer, n: number, where: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw bad(`${where}: BYTES element ${out.length} has a cut-off length prefix`);
    const len = bytes.readUInt32LE(at);
    at += 4;
    if (at + len > bytes.length) throw bad(`${where}: BYTES element ${out.length} is ${len} bytes, only ${bytes.length - at} are left`);
    out.push(bytes.toString('utf8', at, at + len));
    at += len;
  }
  if (out.length !== n) throw bad(`${where}: the shape holds ${n} elements but the binary data has ${out.length}`);
  return out;
}

/** Whether an output should come back as raw bytes. */
export function wantsBinary(req: OipInferRequest, name: string): boolean {
  const own = req.outputs?.find((o) => o?.name === name)?.parameters?.binary_data;
  if (own !== undefined) return own === true;
  return req.parameters?.binary_data_output === true;
}

/** An output as JSON, or (binary) as its header entry (no `data`) and its raw bytes. */
export function encodeOutputAs(t: Tensor, binary: boolean): { output: OipResponseOutput; bytes?: Buffer } {
  if (!binary) return { output: encodeOutput(t) };
  const bytes = rawBytes(t);
  return { output: { name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: bytes.length } }, bytes };
}

function rawBytes(t: Tensor): Buffer {
  if (!ArrayBuffer.isView(t.data) && t.datatype === 'BOOL') return Buffer.from((t.data as unknown[]).map((v) => (v ? 1 : 0)));
  if (!ArrayBuffer.isView(t.data)) return lengthPrefixed((t.data as unknown[]).map((v) => Buffer.from(String(v), 'utf8')));
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** BYTES elements in the binary extension's layout: each a 4-byte little-endian length, then its bytes. */
export function lengthPrefixed(parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(parts.reduce((a, p) => a + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** A client's side: a JSON part and raw parts → the body and its Inference-Header-Content-Length. */
export function packBinary(json: unknown, parts: Uint8Array[]): { body: Buffer; headerLength: string } {
  const head = Buffer.from(JSON.stringify(json));
  return { body: Buffer.concat([head, ...parts]), headerLength: String(head.length) };
}

/** A client's side: a binary answer → its JSON part and each binary output's bytes, by name. */
export function unpackBinary(
  body: Buffer,
  headerLength: string,
): { json: { outputs: OipResponseOutput[] } & Record<string, unknown>; bytes: Record<string, Buffer> } {
  const n = Number(headerLength);
  const json = JSON.parse(body.subarray(0, n).toString('utf8')) as { outputs: OipResponseOutput[] } & Record<string, unknown>;
  const bytes: Record<string, Buffer> = {};
  let at = n;
  for (const o of json.outputs) {
    const size = (o.parameters as { binary_data_size?: number } | undefined)?.binary_data_size;
    if (size === undefined) continue;
    bytes[o.name] = body.subarray(at, at + size);
    at += size;
  }
  return { json, bytes };
}
