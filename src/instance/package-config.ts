/**
 * `modeldock.json`: the small config that turns an ONNX file into a served image
 * classifier with no code (docs/model-package.md). Validated at load; errors name the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const PACKAGE_CONFIG_FILE = 'modeldock.json';

export const PackageConfigSchema = Type.Object(
  {
    task: Type.Literal('image-classification', { default: 'image-classification' }),
    model: Type.Optional(Type.String({ description: 'the .onnx file (default: model.onnx or the only .onnx file)' })),
    dynamicBatch: Type.Boolean({ default: false, description: 'make a fixed batch dimension of 1 symbolic at load, so requests can be batched' }),
    input: Type.Object(
      {
        name: Type.Optional(Type.String({ description: "default: the model's only input" })),
        width: Type.Integer({ minimum: 1, maximum: 8192 }),
        height: Type.Integer({ minimum: 1, maximum: 8192 }),
        resize: Type.Union([Type.Literal('fill'), Type.Literal('cover'), Type.Literal('contain')], { default: 'fill' }),
        channels: Type.Union([Type.Literal('RGB'), Type.Literal('BGR'), Type.Literal('GRAY')], { default: 'RGB' }),
        layout: Type.Union([Type.Literal('NCHW'), Type.Literal('NHWC')], { default: 'NCHW' }),
        dtype: Type.Union([Type.Literal('FP32'), Type.Literal('FP16')], { default: 'FP32' }),
        scale: Type.Number({ default: 1 / 255 }),
        mean: Type.Array(Type.Number(), { default: [0, 0, 0], maxItems: 3 }),
        std: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { default: [1, 1, 1], maxItems: 3 }),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        name: Type.Optional(Type.String({ description: "default: the model's first output" })),
        softmax: Type.Boolean({ default: false, description: 'apply softmax (the model outputs logits)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    labels: Type.Optional(Type.String({ description: 'a text file, one label per line; line i is class i' })),
    topK: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  },
  { additionalProperties: false },
);

export type PackageConfig = Static<typeof PackageConfigSchema>;

export function hasPackageConfig(modelDir: string): boolean {
  return fs.existsSync(path.join(modelDir, PACKAGE_CONFIG_FILE));
}

/**
 * Whether modeldock.json configures the built-in image handler. A modeldock.json that only
 * declares `inputs` / `outputs` (a code package's OIP signature, signature.ts) does not;
 * one that cannot be parsed does (the image handler then names the problem).
 */
export function configuresImageHandler(modelDir: string): boolean {
  if (!hasPackageConfig(modelDir)) return false;
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(modelDir, PACKAGE_CONFIG_FILE), 'utf8')) as Record<string, unknown> | null;
    if (!raw || typeof raw !== 'object') return true;
    return Object.keys(raw).some((k) => k !== 'inputs' && k !== 'outputs');
  } catch {
    return true;
  }
}

/** Reads and validates modeldock.json; throws an Error naming each bad field. */
export function readPackageConfig(modelDir: string): PackageConfig {
  const file = path.join(modelDir, PACKAGE_CONFIG_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${PACKAGE_CONFIG_FILE} cannot be read: ${(e as Error).message}`);
  }
  const withDefaults = Value.Default(PackageConfigSchema, raw);
  const errors = [...Value.Errors(PackageConfigSchema, withDefaults)];
  if (errors.length) {
    throw new Error(
      `${PACKAGE_CONFIG_FILE} is invalid: ${errors
        .slice(0, 5)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ')}`,
    );
  }
  return withDefaults as PackageConfig;
}

/** Labels file → one label per class; a leading WordNet id (`n01440764 `) is dropped. */
export function readLabels(modelDir: string, file: string): string[] {
  const p = path.resolve(modelDir, file);
  if (!p.startsWith(path.resolve(modelDir) + path.sep)) throw new Error(`labels "${file}" is outside the package`);
  if (!fs.existsSync(p)) throw new Error(`labels file "${file}" is not in the package`);
  return fs
    .readFileSync(p, 'utf8')
    .replace(/\r/g, '')
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .map((l) => l.replace(/^n\d{8}\s+/, '').trim());
}
