/**
 * Example calls that work for a service, by the kind of package its traffic version runs
 * (what the console's call page offers and call-info's curl shows): the image handlers take
 * TI-ONE's `{"images": [...]}`, plain ONNX takes OIP v2 tensors shaped as its inputs, a
 * KServe model.py KServe v1 `{"instances": [...]}`, the other code packages a JSON body of
 * their own (shown as a placeholder) and OIP v2 tensors when they declare a signature.
 */
import type { OipDatatype, OipTensorMetadata } from '../contracts/oip.js';
import type { CallExample, PackageKind } from '../contracts/service-ops.js';

/** What kind of package a model version is, from its runtime and the paths of its files. */
export function packageKind(runtime: string, files: readonly string[]): PackageKind {
  const has = (f: string) => files.includes(f);
  if (runtime.startsWith('torch')) return has('model_service.py') ? 'tiinfer' : has('model.py') ? 'kserve' : 'tiinfer';
  if (has('model_service.ts') || has('model_service.js')) return 'node-handler';
  if (runtime.startsWith('onnxruntime') && has('modeldock.json')) return 'onnx-image';
  if (runtime.startsWith('onnxruntime')) return 'onnx';
  return 'node-handler';
}

const zero = (datatype: OipDatatype): unknown => (datatype === 'BYTES' ? '' : datatype === 'BOOL' ? false : 0);

/** An OIP v2 infer body with zeros in the inputs' shapes (a dynamic dimension as 1). */
export function tensorBody(inputs: readonly OipTensorMetadata[]): { inputs: { name: string; shape: number[]; datatype: OipDatatype; data: unknown[] }[] } {
  return {
    inputs: inputs.map((i) => {
      const shape = i.shape.map((d) => (d < 0 ? 1 : d));
      const n = shape.reduce((a, b) => a * b, 1);
      return { name: i.name, shape, datatype: i.datatype, data: new Array(Math.min(n, 1_000_000)).fill(zero(i.datatype)) };
    }),
  };
}

/** At most this many values in an example (a 224×224 image tensor is 150,528): larger ones are left for the user to fill. */
const MAX_EXAMPLE_VALUES = 200_000;

export interface ExampleUrls {
  predict: string;
  kserve: string;
  infer: string;
}

/** The example calls for a kind, the first the one to try first. `inputs`: the model's OIP inputs, when known. */
export function callExamples(kind: PackageKind, urls: ExampleUrls, inputs?: readonly OipTensorMetadata[]): CallExample[] {
  const v2: CallExample[] = [];
  const values = inputs?.reduce((a, i) => a + i.shape.reduce((x, d) => x * (d < 0 ? 1 : d), 1), 0) ?? 0;
  if (inputs?.length && values <= MAX_EXAMPLE_VALUES) v2.push({ protocol: 'oip-v2', url: urls.infer, body: tensorBody(inputs) });
  const images: CallExample = { protocol: 'tione', url: urls.predict, body: { images: ['https://example.com/cat.jpg'] } };
  switch (kind) {
    case 'onnx-image':
      return [images, ...v2];
    case 'onnx':
      return v2.length
        ? v2
        : [{ protocol: 'oip-v2', url: urls.infer, body: { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] }] } }];
    case 'kserve':
      return [{ protocol: 'kserve-v1', url: urls.kserve, body: { instances: [[0, 0, 0, 0]] } }, ...v2];
    case 'tiinfer':
      return [images, ...v2];
    case 'node-handler':
      return [{ protocol: 'tione', url: urls.predict, body: { input: 'the JSON your model_service preprocess() reads' } }, ...v2];
  }
}
