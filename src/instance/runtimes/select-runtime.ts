/**
 * Picks the Runtime for a runtime id and a package's files:
 * - `onnxruntime1.30-node20-cpu`: modeldock.json (beyond an inputs/outputs signature) → built-in image handler; else a
 *   model_service.ts/js → Node handler (with onnxruntime available); else the .onnx file
 *   alone → plain OIP v2.
 * - `node20-handler`: the Node handler.
 * - `torch1.13-py311-cpu`: the Python runtime (a tiinfer model_service.py or a KServe model.py) from ./python-runtime.js.
 */
import fs from 'node:fs';
import { RUNTIME_IDS } from '../../runtime-catalog/catalog.js';
import type { ImagePolicy } from '../images/image-policy.js';
import { configuresImageHandler } from '../package-config.js';
import type { Runtime } from '../runtime.js';
import { findHandlerFile } from './node-handler-loader.js';

// Each runtime is loaded only when an instance needs it: a plain ONNX instance does not
// pay for sharp (image decoding, ~20 MiB resident), the Node handler or the Python side.

export class RuntimeSelectError extends Error {}

export async function selectRuntime(runtimeId: string, modelDir: string, policy: ImagePolicy): Promise<Runtime> {
  if (!fs.existsSync(modelDir) || !fs.statSync(modelDir).isDirectory())
    throw new RuntimeSelectError(`the model dir ${modelDir} does not exist or is not a folder`);
  switch (runtimeId) {
    case RUNTIME_IDS.onnx:
      if (configuresImageHandler(modelDir)) return new (await import('./onnx-image-runtime.js')).OnnxImageRuntime(policy);
      if (findHandlerFile(modelDir)) return new (await import('./node-handler-runtime.js')).NodeHandlerRuntime(policy, RUNTIME_IDS.onnx);
      return new (await import('./onnx-runtime.js')).OnnxRuntime();
    case RUNTIME_IDS.node:
      return new (await import('./node-handler-runtime.js')).NodeHandlerRuntime(policy);
    case RUNTIME_IDS.torch: {
      const { createPythonRuntime } = await import('./python-runtime.js');
      return createPythonRuntime({ imagePolicy: policy });
    }
    default:
      throw new RuntimeSelectError(`unknown runtime "${runtimeId}" (known: ${Object.values(RUNTIME_IDS).join(', ')})`);
  }
}
