/**
 * A code package's OIP v2 signature (the inputs and outputs `/v2/models/{m}` reports and
 * `/infer` checks), declared in `modeldock.json` as `{"inputs": [...], "outputs": [...]}`
 * (OIP tensor metadata, -1 for a dynamic dimension) or given by the model itself (a KServe
 * model's get_input_types / get_output_types, a Node handler's `inputs` / `outputs`).
 * The package's declaration wins over the model's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { OIP_DATATYPES, type OipTensorMetadata } from '../contracts/oip.js';
import { PACKAGE_CONFIG_FILE } from './package-config.js';

const TensorMeta = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    datatype: Type.Union(OIP_DATATYPES.map((d) => Type.Literal(d))),
    shape: Type.Array(Type.Integer({ minimum: -1 }), { maxItems: 32 }),
  },
  { additionalProperties: true },
);
const SignatureSchema = Type.Object({ inputs: Type.Optional(Type.Array(TensorMeta)), outputs: Type.Optional(Type.Array(TensorMeta)) });

export interface Signature {
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

const clean = (list: Static<typeof TensorMeta>[] | undefined): OipTensorMetadata[] =>
  (list ?? []).map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] }));

/** Checks a signature from a model (or a file); throws naming the bad field. */
export function parseSignature(raw: unknown, where: string): Partial<Signature> {
  if (raw === undefined || raw === null) return {};
  const errors = [...Value.Errors(SignatureSchema, raw)];
  if (errors.length)
    throw new Error(
      `${where}: the inputs/outputs are invalid: ${errors
        .slice(0, 3)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ')}`,
    );
  const s = raw as Static<typeof SignatureSchema>;
  return { ...(s.inputs ? { inputs: clean(s.inputs) } : {}), ...(s.outputs ? { outputs: clean(s.outputs) } : {}) };
}

/** The inputs/outputs declared in the package's modeldock.json (none when it has no such file or keys). */
export function declaredSignature(modelDir: string): Partial<Signature> {
  const file = path.join(modelDir, PACKAGE_CONFIG_FILE);
  if (!fs.existsSync(file)) return {};
  let raw: { inputs?: unknown; outputs?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof raw;
  } catch (e) {
    throw new Error(`${PACKAGE_CONFIG_FILE} cannot be read: ${(e as Error).message}`);
  }
  return parseSignature({ inputs: raw?.inputs, outputs: raw?.outputs }, PACKAGE_CONFIG_FILE);
}

/** The package's declaration over the model's own, each list on its own. */
export function mergeSignature(declared: Partial<Signature>, fromModel: Partial<Signature>): Signature {
  return { inputs: declared.inputs ?? fromModel.inputs ?? [], outputs: declared.outputs ?? fromModel.outputs ?? [] };
}
