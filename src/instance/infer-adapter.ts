/**
 * OIP v2 infer for runtimes that do not run tensors themselves (the Python and Node
 * handler runtimes), so `/v2/models/{m}/infer` answers for every package:
 *
 * - A package that takes whole OIP requests (a KServe model.py: `InferRequest` in,
 *   `InferResponse` out) gets the request as OIP JSON (binary inputs already decoded) and
 *   its response's outputs become tensors.
 * - Any other handler (tiinfer, Node) gets one JSON body holding each input by name as a
 *   nested array in its shape (`{"x": [[1, 2], [3, 4]]}`, BYTES as strings), through its
 *   usual preprocess → predict → postprocess. Its answer becomes the outputs: an object's
 *   keys are output names, an array or a number is one output (the declared one, else
 *   `output-0`). Datatypes are the declared ones, else worked out from the values (FP64
 *   for numbers, as JSON has them, BOOL, BYTES for strings); a value that is not a
 *   rectangular array of those is one BYTES element holding its JSON.
 */
import { DomainError } from '../contracts/errors.js';
import type { OipDatatype, OipInferRequest, OipRequestInput, OipTensorMetadata } from '../contracts/oip.js';
import type { Tensor } from './runtime.js';
import { decodeInput, encodeOutput } from './tensors.js';

const modelFault = (msg: string) => new DomainError('MODEL_ERROR', msg);

/** A tensor's data nested in its shape (what a handler body holds). */
function nest(flat: unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  let level: unknown[] = flat;
  for (let d = shape.length - 1; d > 0; d--) {
    const size = shape[d]!;
    const next: unknown[] = [];
    for (let i = 0; i < level.length; i += size) next.push(level.slice(i, i + size));
    level = next;
  }
  return level;
}

/** The handler body for a v2 request: `{inputName: nested data}`. */
export function bodyOfTensors(inputs: readonly Tensor[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const t of inputs) body[t.name] = nest(encodeOutput(t).data ?? [], t.shape);
  return body;
}

/** The request as OIP JSON for a package that takes requests whole (binary inputs decoded to `data`). */
export function requestOfTensors(req: OipInferRequest, inputs: readonly Tensor[]): OipInferRequest {
  const ins = inputs.map((t, i): OipRequestInput => {
    const { parameters } = req.inputs[i] ?? {};
    const rest = parameters ? Object.fromEntries(Object.entries(parameters).filter(([k]) => k !== 'binary_data_size')) : undefined;
    const o = encodeOutput(t);
    return { name: o.name, shape: o.shape, datatype: o.datatype, data: o.data, ...(rest && Object.keys(rest).length ? { parameters: rest } : {}) };
  });
  return {
    ...(req.id !== undefined ? { id: req.id } : {}),
    ...(req.parameters ? { parameters: req.parameters } : {}),
    inputs: ins,
    ...(req.outputs ? { outputs: req.outputs.map((o) => ({ name: o.name })) } : {}),
  };
}

function tensorOf(o: OipRequestInput, who: string): Tensor {
  try {
    return decodeInput(o, `${who} output "${o?.name}"`);
  } catch (e) {
    throw modelFault(`the model answered a tensor that is not valid OIP: ${(e as Error).message}`);
  }
}

function pick(outs: Tensor[], wanted: readonly string[] | undefined): Tensor[] {
  if (!wanted?.length) return outs;
  return wanted.map((name) => {
    const t = outs.find((o) => o.name === name);
    if (!t) throw new DomainError('INVALID_TENSOR', `the model has no output "${name}" (outputs: ${outs.map((o) => o.name).join(', ')})`);
    return t;
  });
}

/** A whole-request package's response (`{outputs: [...]}`) as tensors. */
export function tensorsOfResponse(resp: unknown, wanted: readonly string[] | undefined): Tensor[] {
  const outputs = (resp as { outputs?: unknown } | null)?.outputs;
  if (!Array.isArray(outputs)) throw modelFault('the model answered a v2 call without "outputs" (return an InferResponse)');
  return pick(
    outputs.map((o) => tensorOf(o as OipRequestInput, "the model's")),
    wanted,
  );
}

function walk(v: unknown, depth: number, shape: readonly number[], out: unknown[]): boolean {
  if (depth === shape.length) {
    out.push(v);
    return !Array.isArray(v);
  }
  return Array.isArray(v) && v.length === shape[depth] && v.every((x) => walk(x, depth + 1, shape, out));
}

/** Shape and flat values of a rectangular nested array (a scalar: shape [1]), or undefined when it is not one. */
function rectangular(v: unknown): { shape: number[]; flat: unknown[] } | undefined {
  if (!Array.isArray(v)) return { shape: [1], flat: [v] };
  const shape: number[] = [];
  for (let level: unknown = v; Array.isArray(level) && shape.length <= 32; level = level[0]) shape.push(level.length);
  const flat: unknown[] = [];
  return walk(v, 0, shape, flat) ? { shape, flat } : undefined;
}

function datatypeOf(flat: unknown[]): OipDatatype | undefined {
  if (flat.length === 0) return 'FP64';
  if (flat.every((x) => typeof x === 'boolean')) return 'BOOL';
  if (flat.every((x) => typeof x === 'string')) return 'BYTES';
  if (flat.every((x) => typeof x === 'number' && Number.isFinite(x))) return 'FP64'; // what a JSON number is, and the same type whatever the values
  return undefined;
}

function outputOf(name: string, value: unknown, declared: OipTensorMetadata | undefined): Tensor {
  const r = rectangular(value);
  const inferred = r && datatypeOf(r.flat);
  if (!r || (!inferred && declared?.datatype !== 'BYTES')) return { name, datatype: 'BYTES', shape: [1], data: [JSON.stringify(value ?? null)] };
  const datatype = declared?.datatype ?? inferred!;
  const flat = datatype === 'BYTES' ? r.flat.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : r.flat;
  return tensorOf({ name, datatype, shape: r.shape, data: flat }, "the handler's");
}

/** A handler's JSON answer as output tensors (see the file's comment). */
export function tensorsOfAnswer(answer: unknown, declared: readonly OipTensorMetadata[], wanted: readonly string[] | undefined): Tensor[] {
  const isObject = answer !== null && typeof answer === 'object' && !Array.isArray(answer);
  if (!isObject) {
    const name = declared[0]?.name ?? 'output-0';
    return pick([outputOf(name, answer, declared[0])], wanted);
  }
  const obj = answer as Record<string, unknown>;
  const names = declared.length ? declared.map((d) => d.name) : Object.keys(obj);
  const outs = names.map((name) => {
    if (!(name in obj)) throw modelFault(`the model's answer has no "${name}" (its declared outputs: ${names.join(', ')})`);
    return outputOf(
      name,
      obj[name],
      declared.find((d) => d.name === name),
    );
  });
  return pick(outs, wanted);
}
