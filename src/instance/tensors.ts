/**
 * OIP v2 JSON tensors ↔ runtime Tensors: datatype → typed array, shape checks against
 * the model's metadata, FP16 via half bits, and joining/splitting along dimension 0 for
 * the batcher.
 */
import { DomainError } from '../contracts/errors.js';
import type { OipDatatype, OipRequestInput, OipResponseOutput, OipTensorMetadata } from '../contracts/oip.js';
import { floatsToHalf, halfToFloats } from '../contracts/fp16.js';
import type { Tensor } from './runtime.js';

type NumArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
type BigArray = BigInt64Array | BigUint64Array;
type TypedCtor = { new (n: number): NumArray | BigArray; BYTES_PER_ELEMENT: number };

export const TYPED: Record<Exclude<OipDatatype, 'BYTES'>, TypedCtor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

const bad = (msg: string) => new DomainError('INVALID_TENSOR', msg);
/** Ranks past this are refused (numpy's own cap); nested data is flattened at most this deep. */
export const MAX_RANK = 32;
/** [lowest, past the highest] value of each integer datatype: values outside are refused, not wrapped. */
const INT_RANGE: Partial<Record<OipDatatype, readonly [number, number]>> = {
  UINT8: [0, 2 ** 8],
  INT8: [-(2 ** 7), 2 ** 7],
  UINT16: [0, 2 ** 16],
  INT16: [-(2 ** 15), 2 ** 15],
  UINT32: [0, 2 ** 32],
  INT32: [-(2 ** 31), 2 ** 31],
  UINT64: [0, 2 ** 64],
  INT64: [-(2 ** 63), 2 ** 63],
};
export const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A short description of a JSON value for a message (never stringifies a whole structure). */
const describe = (v: unknown): string =>
  typeof v === 'number'
    ? String(v)
    : Array.isArray(v)
      ? 'an array'
      : v === null
        ? 'null'
        : typeof v === 'object'
          ? 'an object'
          : JSON.stringify(v).slice(0, 40);

/** An input's name and shape, checked (the data is the caller's: JSON or binary). */
export function checkHead(input: OipRequestInput, where: string): { datatype: OipDatatype; shape: number[] } {
  if (!input || typeof input !== 'object' || typeof input.name !== 'string') throw bad('each input needs a "name"');
  const { datatype, shape } = input;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`${where}: "shape" must be an array of non-negative integers`);
  if (shape.length > MAX_RANK) throw bad(`${where}: "shape" has ${shape.length} dimensions; at most ${MAX_RANK} are allowed`);
  return { datatype, shape };
}

/** OIP JSON input → Tensor (data flattened row-major; nested arrays accepted). */
export function decodeInput(input: OipRequestInput, where = `input "${input?.name}"`): Tensor {
  const { datatype, shape } = checkHead(input, where);
  if (!Array.isArray(input.data)) throw bad(`${where}: "data" must be an array`);
  // bounded: data nested deeper than any shape stays nested and fails the element checks
  const flat = (Array.isArray(input.data[0]) ? (input.data as unknown[]).flat(MAX_RANK) : input.data) as unknown[];
  const n = elementCount(shape);
  if (flat.length !== n) throw bad(`${where}: shape [${shape.join(', ')}] holds ${n} values but "data" has ${flat.length}`);
  if (datatype === 'BYTES') {
    if (!flat.every((v) => typeof v === 'string')) throw bad(`${where}: BYTES data must be strings`);
    return { name: input.name, datatype, shape: [...shape], data: flat as string[] };
  }
  const Ctor = TYPED[datatype as Exclude<OipDatatype, 'BYTES'>];
  if (!Ctor) throw bad(`${where}: unknown datatype "${String(datatype)}"`);
  const isBig = datatype === 'INT64' || datatype === 'UINT64';
  const range = INT_RANGE[datatype as OipDatatype];
  if (datatype === 'BOOL') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw bad(`${where}: BOOL data must be true/false (item ${i})`);
      out[i] = v ? 1 : 0;
    }
    return { name: input.name, datatype, shape: [...shape], data: out };
  }
  for (let i = 0; i < n; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (range !== undefined && (!Number.isInteger(v) || v < range[0] || v >= range[1]))) {
      const want = range ? `integers from ${range[0]} to ${range[1] - 1}` : 'finite numbers';
      throw bad(`${where}: ${datatype} data must be ${want} (item ${i} is ${describe(v)})`);
    }
  }
  if (datatype === 'FP16') return { name: input.name, datatype, shape: [...shape], data: floatsToHalf(flat as number[]) };
  const out = new Ctor(n);
  if (isBig) for (let i = 0; i < n; i++) (out as BigArray)[i] = BigInt(flat[i] as number);
  else (out as NumArray).set(flat as number[]);
  return { name: input.name, datatype, shape: [...shape], data: out };
}

/** Tensor → OIP JSON output (FP16 back to floats, INT64 to numbers, BOOL to booleans). */
export function encodeOutput(t: Tensor): OipResponseOutput {
  let data: unknown[];
  if (Array.isArray(t.data)) data = t.data;
  else if (t.datatype === 'FP16') data = Array.from(halfToFloats(t.data as Uint16Array));
  else if (t.datatype === 'BOOL') data = Array.from(t.data as Uint8Array, (v) => v !== 0);
  else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) data = Array.from(t.data, Number);
  else data = Array.from(t.data as NumArray);
  return { name: t.name, datatype: t.datatype, shape: t.shape, data };
}

/** Checks decoded inputs against the model's inputs: names, datatypes, ranks, fixed dims. */
export function checkInputs(inputs: Tensor[], expected: readonly OipTensorMetadata[]): void {
  const seen = new Set<string>();
  for (const t of inputs) {
    const m = expected.find((e) => e.name === t.name);
    if (!m) throw bad(`the model has no input "${t.name}" (inputs: ${expected.map((e) => e.name).join(', ')})`);
    if (seen.has(t.name)) throw bad(`input "${t.name}" is given twice`);
    seen.add(t.name);
    if (m.datatype !== t.datatype) throw bad(`input "${t.name}" must be ${m.datatype}, got ${t.datatype}`);
    const fits = m.shape.length === t.shape.length && m.shape.every((d, i) => d < 0 || d === t.shape[i]);
    if (!fits) throw bad(`input "${t.name}" must have shape [${m.shape.join(', ')}] (-1: any), got [${t.shape.join(', ')}]`);
  }
  const missing = expected.filter((e) => !seen.has(e.name));
  if (missing.length) throw bad(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((e) => `"${e.name}"`).join(', ')}`);
}

/** Joins several requests' tensors (same names, same inner shapes) along dimension 0. */
export function concatRows(requests: Tensor[][]): Tensor[] {
  if (requests.length === 1) return requests[0]!;
  const first = requests[0]!;
  return first.map((t) => {
    const parts = requests.map((r) => r.find((x) => x.name === t.name)!);
    const rows = parts.reduce((n, p) => n + p.shape[0]!, 0);
    const shape = [rows, ...t.shape.slice(1)];
    if (Array.isArray(t.data)) return { ...t, shape, data: parts.flatMap((p) => p.data as string[]) };
    const Ctor = (t.data as NumArray).constructor as TypedCtor;
    const out = new Ctor(elementCount(shape));
    let off = 0;
    for (const p of parts) {
      (out as NumArray).set(p.data as NumArray, off);
      off += (p.data as NumArray).length;
    }
    return { ...t, shape, data: out };
  });
}

/** Splits batched outputs back into per-request outputs by each request's row count. */
export function splitRows(outputs: Tensor[], rowCounts: number[]): Tensor[][] {
  if (rowCounts.length === 1) return [outputs];
  const total = rowCounts.reduce((a, b) => a + b, 0);
  const per: Tensor[][] = rowCounts.map(() => []);
  for (const t of outputs) {
    if (t.shape[0] !== total) throw new Error(`output "${t.name}" has ${t.shape[0]} rows for a batch of ${total}`);
    const rowSize = elementCount(t.shape.slice(1));
    let row = 0;
    rowCounts.forEach((n, i) => {
      const data = Array.isArray(t.data)
        ? (t.data as unknown[]).slice(row * rowSize, (row + n) * rowSize)
        : (t.data as NumArray).slice(row * rowSize, (row + n) * rowSize);
      per[i]!.push({ ...t, shape: [n, ...t.shape.slice(1)], data: data as Tensor['data'] });
      row += n;
    });
  }
  return per;
}

/** Batch key: requests join only when their tensors agree on everything but dimension 0. */
export function rowKey(inputs: Tensor[], outputNames: string[] | undefined): string {
  const parts = inputs.map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`).sort();
  return `${parts.join('|')}>${outputNames?.join(',') ?? '*'}`;
}
