/**
 * Picks the Runtime for a runtime id and a package's files:
 * - `onnxruntime1.30-node20-cpu`: modeldock.json → built-in image handler; else a
 *   model_service.ts/js → Node handler (with onnxruntime available); else the .onnx file
 *   alone → plain OIP v2.
 * - `node20-handler`: the Node handler.
 * - `torch1.13-py311-cpu`: the Python (tiinfer) runtime from ./python-runtime.js.
 */
import fs from 'node:fs';
import { RUNTIME_IDS } from '../../runtimes/catalog.js';
import type { ImagePolicy } from '../images/image-policy.js';
import { hasPackageConfig } from '../package-config.js';
import type { Runtime } from '../runtime.js';
import { findHandlerFile } from './node-handler-loader.js';
import { NodeHandlerRuntime } from './node-handler-runtime.js';
import { OnnxImageRuntime } from './onnx-image-runtime.js';
import { OnnxRuntime } from './onnx-runtime.js';

export class RuntimeSelectError extends Error {}

export async function selectRuntime(runtimeId: string, modelDir: string, policy: ImagePolicy): Promise<Runtime> {
  if (!fs.existsSync(modelDir) || !fs.statSync(modelDir).isDirectory()) throw new RuntimeSelectError(`the model dir ${modelDir} does not exist or is not a folder`);
  switch (runtimeId) {
    case RUNTIME_IDS.onnx:
      if (hasPackageConfig(modelDir)) return new OnnxImageRuntime(policy);
      if (findHandlerFile(modelDir)) return new NodeHandlerRuntime(policy, RUNTIME_IDS.onnx);
      return new OnnxRuntime();
    case RUNTIME_IDS.node:
      return new NodeHandlerRuntime(policy);
    case RUNTIME_IDS.torch: {
      // loaded only when needed: ONNX instances do not pay for the Python side's modules
      const { createPythonRuntime } = await import('./python-runtime.js');
      return createPythonRuntime({ imagePolicy: policy });
    }
    default:
      throw new RuntimeSelectError(`unknown runtime "${runtimeId}" (known: ${Object.values(RUNTIME_IDS).join(', ')})`);
  }
}
