/**
 * Guessing a package's format and runtime from its file names, for `models import`
 * without --format / --runtime (docs/cli.md, "Format and runtime inference"):
 *
 * - format: a `.onnx` file → onnx; a `.pt` file → torchscript; a `.pth` file → pytorch;
 *   otherwise custom.
 * - runtime: `model_service.py` → torch1.13-py311-cpu; `model_service.js|mjs|ts` →
 *   node20-handler; a KServe `model.py` → torch1.13-py311-cpu; else by format: onnx → onnxruntime1.30-node20-cpu, torchscript and
 *   pytorch → torch1.13-py311-cpu; custom without inference code → none (ask for --runtime).
 */
import type { ModelFormat } from '../contracts/resources.js';
import { RUNTIME_IDS } from '../contracts/runtimes.js';

export interface Inferred {
  format: ModelFormat;
  runtime?: string;
}

export function inferPackage(paths: string[]): Inferred {
  const base = paths.map((p) => (p.split('/').pop() ?? p).toLowerCase());
  const has = (pred: (b: string) => boolean) => base.some(pred);
  const format: ModelFormat = has((b) => b.endsWith('.onnx'))
    ? 'onnx'
    : has((b) => b.endsWith('.pt'))
      ? 'torchscript'
      : has((b) => b.endsWith('.pth'))
        ? 'pytorch'
        : 'custom';
  let runtime: string | undefined;
  if (has((b) => b === 'model_service.py')) runtime = RUNTIME_IDS.torch;
  else if (has((b) => /^model_service\.(js|mjs|ts)$/.test(b))) runtime = RUNTIME_IDS.node;
  else if (paths.some((p) => p.toLowerCase() === 'model.py' || /^[^/]+\/model\.py$/i.test(p)))
    runtime = RUNTIME_IDS.torch; // a KServe custom predictor
  else if (format === 'onnx') runtime = RUNTIME_IDS.onnx;
  else if (format === 'torchscript' || format === 'pytorch') runtime = RUNTIME_IDS.torch;
  return { format, runtime };
}
