/**
 * Makes a fixed batch dimension of 1 symbolic in an ONNX model's bytes, so that a model
 * exported with batch 1 (like the SqueezeNet fixture) can run dynamic batches. Touches
 * only the graph's declared inputs (not initializers) and outputs whose first dimension
 * is 1, and drops `value_info` (optional shape hints that would pin batch 1 inside).
 * Whether the graph really is batch-agnostic is the model's business: opt in with
 * `"dynamicBatch": true` in modeldock.json; the result is checked at load.
 *
 * A minimal protobuf walk: ModelProto.graph(7) → GraphProto.input(11)/output(12)/
 * value_info(13)/initializer(5) → ValueInfoProto.type(2) → TypeProto.tensor_type(1) →
 * shape(2) → dim(1) → dim_value(1) | dim_param(2).
 */

interface Field {
  no: number;
  wire: number;
  /** the whole field, key included */
  raw: Buffer;
  /** for length-delimited fields: the payload */
  payload?: Buffer;
  varint?: number;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export function parseFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Math.floor(key / 8);
    const wire = key % 8;
    const f: Field = { no, wire, raw: buf };
    if (wire === 0) [f.varint, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      f.payload = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated protobuf field');
    f.raw = buf.subarray(start, pos);
    fields.push(f);
  }
  return fields;
}

const lenField = (no: number, payload: Buffer) => Buffer.concat([varint(no * 8 + 2), varint(payload.length), payload]);

function rewrite(buf: Buffer, fn: (f: Field) => Buffer | null): Buffer {
  return Buffer.concat(parseFields(buf).map((f) => fn(f) ?? Buffer.alloc(0)));
}

const sub = (f: Field, no: number) => parseFields(f.payload ?? Buffer.alloc(0)).find((x) => x.no === no);

/** A ValueInfoProto with its first dim symbolic when it is 1; `changed` says whether it was. */
function symbolicFirstDim(valueInfo: Buffer, dimName: string): { out: Buffer; changed: boolean } {
  let changed = false;
  const out = rewrite(valueInfo, (vf) => {
    if (vf.no !== 2 || vf.wire !== 2) return vf.raw;
    const type = rewrite(vf.payload!, (tf) => {
      if (tf.no !== 1 || tf.wire !== 2) return tf.raw;
      const tensorType = rewrite(tf.payload!, (sf) => {
        if (sf.no !== 2 || sf.wire !== 2) return sf.raw;
        let first = true;
        const shape = rewrite(sf.payload!, (df) => {
          if (df.no !== 1 || df.wire !== 2) return df.raw;
          if (!first) return df.raw;
          first = false;
          const dv = parseFields(df.payload!).find((x) => x.no === 1);
          if (dv?.varint !== 1) return df.raw;
          changed = true;
          return lenField(1, lenField(2, Buffer.from(dimName, 'utf8')));
        });
        return lenField(2, shape);
      });
      return lenField(1, tensorType);
    });
    return lenField(2, type);
  });
  return { out, changed };
}

function nameOf(f: Field, nameField: number): string {
  const n = sub(f, nameField);
  return n?.payload ? n.payload.toString('utf8') : '';
}

/** The model's bytes with batch dims made symbolic, and which inputs/outputs changed. */
export function makeBatchDimSymbolic(model: Buffer, dimName = 'batch'): { bytes: Buffer; inputs: string[]; outputs: string[] } {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const bytes = rewrite(model, (mf) => {
    if (mf.no !== 7 || mf.wire !== 2) return mf.raw;
    const graphFields = parseFields(mf.payload!);
    const initializers = new Set(graphFields.filter((g) => g.no === 5 && g.wire === 2).map((g) => nameOf(g, 8)));
    const graph = Buffer.concat(
      graphFields.map((g) => {
        if (g.wire !== 2) return g.raw;
        if (g.no === 13) return Buffer.alloc(0);
        if (g.no !== 11 && g.no !== 12) return g.raw;
        const name = nameOf(g, 1);
        if (g.no === 11 && initializers.has(name)) return g.raw;
        const { out, changed } = symbolicFirstDim(g.payload!, dimName);
        if (changed) (g.no === 11 ? inputs : outputs).push(name);
        return lenField(g.no, out);
      }),
    );
    return lenField(7, graph);
  });
  return { bytes, inputs, outputs };
}
