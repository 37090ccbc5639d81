/**
 * TI-ONE's runtime names, accepted at import and mapped onto this catalog's closest runtime.
 * TI-ONE lists its inference images as `pytorch1.9.0-py38`, `pytorch1.12.1-py38`,
 * `detectron2-py38`, `mmdetection1.4.8-py38`, `onnx1.11.1-py38`, `tensorflow1.15-py37`,
 * `tensorflow2.4-py38`, `jpmml-py38` (and packages name them `torch1.9.0-py38-cu111` and the
 * like). The mapping is shown wherever the version is: the version's `runtimeRequested` and
 * `runtimeNote`, a warning event when a service deploys it, and `modeldock doctor`.
 */
import { RUNTIME_IDS } from './catalog.js';

export type RuntimeResolution = { id: string; requested?: undefined; note?: undefined } | { id: string; requested: string; note: string } | { refused: string };

interface Alias {
  pattern: RegExp;
  to?: string;
  note: (name: string) => string;
}

const TORCH_NOTE = (name: string) =>
  `TI-ONE runtime "${name}" runs here on ${RUNTIME_IDS.torch} (Python 3.11, PyTorch 1.13, CPU): the package's model_service.py runs unchanged on this torch and Python${/cu\d|gpu/i.test(name) ? '; CUDA is not used' : ''}; list other libraries in requirements.txt`;

export const TI_ONE_ALIASES: readonly Alias[] = [
  { pattern: /^(py)?torch[\d.]*([-_].*)?$/i, to: RUNTIME_IDS.torch, note: TORCH_NOTE },
  {
    pattern: /^(detectron2|mmdetection)[\d.]*([-_].*)?$/i,
    to: RUNTIME_IDS.torch,
    note: (n) => `${TORCH_NOTE(n)} (detectron2 / mmdetection themselves come from requirements.txt)`,
  },
  {
    pattern: /^onnx(runtime)?[\d.]*([-_].*)?$/i,
    to: RUNTIME_IDS.onnx,
    note: (n) =>
      `TI-ONE runtime "${n}" runs here on ${RUNTIME_IDS.onnx} (ONNX Runtime 1.30 in Node, CPU): the .onnx file is served with modeldock.json's handler or plain OIP v2; a model_service.py is not run by it (import with ${RUNTIME_IDS.torch} and onnxruntime in requirements.txt for that)`,
  },
  {
    pattern: /^(tensorflow|tf)[\d.]*([-_].*)?$/i,
    note: (n) =>
      `TI-ONE runtime "${n}" has no counterpart here: there is no TensorFlow runtime. Convert the model to ONNX (e.g. python -m tf2onnx.convert) and import it with ${RUNTIME_IDS.onnx}`,
  },
  {
    pattern: /^jpmml([-_].*)?$/i,
    note: (n) => `TI-ONE runtime "${n}" (PMML on PySpark) has no counterpart here; convert the model to ONNX and import it with ${RUNTIME_IDS.onnx}`,
  },
];

/** A catalog id as it is; a TI-ONE name mapped (with a note); a TI-ONE name with no counterpart refused; else undefined. */
export function resolveRuntime(name: string, known: (id: string) => boolean): RuntimeResolution | undefined {
  if (known(name)) return { id: name };
  const alias = TI_ONE_ALIASES.find((a) => a.pattern.test(name));
  if (!alias) return undefined;
  return alias.to ? { id: alias.to, requested: name, note: alias.note(name) } : { refused: alias.note(name) };
}

/** The note shown for a version imported as `requested` and running on `id`. */
export function mappingNote(requested: string, id: string): string {
  const r = resolveRuntime(requested, () => false);
  return r && 'note' in r && r.note && r.id === id ? r.note : `imported as runtime "${requested}", runs on ${id}`;
}
