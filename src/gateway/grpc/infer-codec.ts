/**
 * ModelInferRequest in, ModelInferResponse out, as protobuf bytes, written by hand for the
 * one hot rpc (the others keep proto-loader's codec). proto-loader decodes into protobufjs
 * message objects and then copies them into plain ones (`toObject`), and encodes the other
 * way round (`fromObject`); here the bytes become the plain object in one pass, and the
 * answer's raw tensors go into the message without a copy. The objects are the ones
 * proto-loader gives with LOADER_OPTIONS (proto.ts): field names as in the proto, 64-bit
 * integers as decimal strings, every field present with its default, `parameter_choice`
 * naming an InferParameter's field; infer-codec.test.ts checks both against proto-loader.
 * Fields this codec does not know are skipped, as any proto3 reader does.
 */
import type { GrpcInferInput, GrpcInferRequest, GrpcInferResponse, GrpcParameter } from './infer-message.js';
import { WireReader, WireWriter } from './protobuf-wire.js';
import type { Contents } from './tensor-contents.js';

type Parameters = Record<string, GrpcParameter>;

function parameter(r: WireReader): GrpcParameter {
  const p: GrpcParameter = {};
  while (!r.done) {
    const tag = r.uint32();
    const field = tag >>> 3;
    // a oneof: the last member on the wire is the one set
    if (field === 1 && (tag & 7) === 0) setChoice(p, 'bool_param', r.bool());
    else if (field === 2 && (tag & 7) === 0) setChoice(p, 'int64_param', r.uint64(true));
    else if (field === 3 && (tag & 7) === 2) setChoice(p, 'string_param', r.string());
    else r.skip(tag & 7);
  }
  return p;
}

function setChoice<K extends 'bool_param' | 'int64_param' | 'string_param'>(p: GrpcParameter, key: K, value: GrpcParameter[K]): void {
  delete p.bool_param;
  delete p.int64_param;
  delete p.string_param;
  p[key] = value;
  p.parameter_choice = key;
}

/** One `map<string, InferParameter>` entry into `into`. */
function mapEntry(r: WireReader, into: Parameters): void {
  let key = '';
  let value: GrpcParameter = {};
  while (!r.done) {
    const tag = r.uint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = parameter(r.sub());
    else r.skip(tag & 7);
  }
  into[key] = value;
}

/** A repeated scalar, packed (wire type 2) or one element per field (proto parsers take both). */
function repeated<T>(r: WireReader, wire: number, into: T[], read: (r: WireReader) => T): void {
  if (wire !== 2) {
    into.push(read(r));
    return;
  }
  const p = r.sub();
  while (!p.done) into.push(read(p));
}

const emptyContents = (): Required<Contents> => ({
  bool_contents: [],
  int_contents: [],
  int64_contents: [],
  uint_contents: [],
  uint64_contents: [],
  fp32_contents: [],
  fp64_contents: [],
  bytes_contents: [],
});

function contents(r: WireReader): Contents {
  const c = emptyContents();
  while (!r.done) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        repeated(r, wire, c.bool_contents, (x) => x.bool());
        break;
      case 2:
        repeated(r, wire, c.int_contents, (x) => x.int32());
        break;
      case 3:
        repeated(r, wire, c.int64_contents, (x) => x.uint64(true));
        break;
      case 4:
        repeated(r, wire, c.uint_contents, (x) => x.uint32());
        break;
      case 5:
        repeated(r, wire, c.uint64_contents, (x) => x.uint64());
        break;
      case 6:
        repeated(r, wire, c.fp32_contents, (x) => x.float());
        break;
      case 7:
        repeated(r, wire, c.fp64_contents, (x) => x.double());
        break;
      case 8:
        if (wire === 2) c.bytes_contents.push(r.bytes());
        else r.skip(wire);
        break;
      default:
        r.skip(wire);
    }
  }
  return c;
}

function input(r: WireReader): GrpcInferInput {
  const t: GrpcInferInput = { name: '', datatype: '', shape: [], parameters: {}, contents: null };
  while (!r.done) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire === 2) t.name = r.string();
        else r.skip(wire);
        break;
      case 2:
        if (wire === 2) t.datatype = r.string();
        else r.skip(wire);
        break;
      case 3:
        repeated(r, wire, t.shape, (x) => x.uint64(true));
        break;
      case 4:
        if (wire === 2) mapEntry(r.sub(), t.parameters!);
        else r.skip(wire);
        break;
      case 5:
        if (wire === 2) t.contents = contents(r.sub());
        else r.skip(wire);
        break;
      default:
        r.skip(wire);
    }
  }
  return t;
}

function requestedOutput(r: WireReader): { name: string; parameters: Parameters } {
  const o = { name: '', parameters: {} as Parameters };
  while (!r.done) {
    const tag = r.uint32();
    if (tag === 10) o.name = r.string();
    else if (tag === 18) mapEntry(r.sub(), o.parameters);
    else r.skip(tag & 7);
  }
  return o;
}

/** A ModelInferRequest's bytes as proto-loader's object; raw_input_contents are views of `buf`. Throws WireError. */
export function decodeInferRequest(buf: Buffer): GrpcInferRequest {
  const req: Required<GrpcInferRequest> = { model_name: '', model_version: '', id: '', parameters: {}, inputs: [], outputs: [], raw_input_contents: [] };
  const r = new WireReader(buf);
  while (!r.done) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire !== 2) {
      r.skip(wire);
      continue;
    }
    switch (tag >>> 3) {
      case 1:
        req.model_name = r.string();
        break;
      case 2:
        req.model_version = r.string();
        break;
      case 3:
        req.id = r.string();
        break;
      case 4:
        mapEntry(r.sub(), req.parameters);
        break;
      case 5:
        req.inputs.push(input(r.sub()));
        break;
      case 6:
        req.outputs.push(requestedOutput(r.sub()));
        break;
      case 7:
        req.raw_input_contents.push(r.bytes());
        break;
      default:
        r.skip(wire);
    }
  }
  return req;
}

function writeParameters(w: WireWriter, field: number, ps: Parameters | undefined): void {
  if (!ps) return;
  for (const key in ps) {
    const p = ps[key]!;
    w.message(field, (e) => {
      e.stringField(1, key);
      e.message(2, (v) => {
        const choice = p.parameter_choice ?? (p.bool_param !== undefined ? 'bool_param' : p.int64_param !== undefined ? 'int64_param' : 'string_param');
        if (choice === 'bool_param') v.tag(1, 0).varint(p.bool_param ? 1 : 0);
        else if (choice === 'int64_param') v.tag(2, 0).varint64(BigInt(p.int64_param ?? 0));
        else v.stringField(3, p.string_param ?? '');
      });
    });
  }
}

/** A packed repeated field of `values` (nothing for an empty array, as proto3 has it). */
function packed<T>(w: WireWriter, field: number, values: T[] | undefined, write: (w: WireWriter, v: T) => void): void {
  if (!values?.length) return;
  w.message(field, (p) => {
    for (const v of values) write(p, v);
  });
}

function writeContents(w: WireWriter, c: Contents): void {
  packed(w, 1, c.bool_contents, (p, v) => p.varint(v ? 1 : 0));
  packed(w, 2, c.int_contents, (p, v) => (v < 0 ? p.varint64(BigInt(v)) : p.varint(v)));
  packed(w, 3, c.int64_contents, (p, v) => p.varint64(BigInt(v)));
  packed(w, 4, c.uint_contents, (p, v) => p.varint(v));
  packed(w, 5, c.uint64_contents, (p, v) => p.varint64(BigInt(v)));
  packed(w, 6, c.fp32_contents, (p, v) => p.float(v));
  packed(w, 7, c.fp64_contents, (p, v) => p.double(v));
  for (const b of c.bytes_contents ?? []) w.bytesField(8, b);
}

/** A ModelInferResponse as protobuf bytes (raw_output_contents added as they are). */
export function encodeInferResponse(res: GrpcInferResponse): Buffer {
  const w = new WireWriter();
  if (res.model_name) w.stringField(1, res.model_name);
  if (res.model_version) w.stringField(2, res.model_version);
  if (res.id) w.stringField(3, res.id);
  writeParameters(w, 4, res.parameters);
  for (const o of res.outputs) {
    w.message(5, (t) => {
      if (o.name) t.stringField(1, o.name);
      if (o.datatype) t.stringField(2, o.datatype);
      packed(t, 3, o.shape, (p, v) => (v < 0 ? p.varint64(BigInt(v)) : p.varint(v)));
      writeParameters(t, 4, o.parameters);
      if (o.contents) t.message(5, (c) => writeContents(c, o.contents!));
    });
  }
  for (const b of res.raw_output_contents) w.bytesField(6, b);
  return w.finish();
}
