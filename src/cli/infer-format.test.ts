import { describe, expect, it } from 'vitest';
import { inferPackage } from './infer-format.js';

describe('inferPackage', () => {
  it.each([
    [['model.onnx', 'modeldock.json'], 'onnx', 'onnxruntime1.30-node20-cpu'],
    [['model.onnx', 'model_service.py'], 'onnx', 'torch1.13-py311-cpu'],
    [['model_service.py', 'weights/mnist.pt'], 'torchscript', 'torch1.13-py311-cpu'],
    [['model_service.py', 'mnist.pth'], 'pytorch', 'torch1.13-py311-cpu'],
    [['model_service.py', 'util.py'], 'custom', 'torch1.13-py311-cpu'],
    [['model_service.ts', 'weights.bin'], 'custom', 'node20-handler'],
    [['pkg/MODEL.ONNX'], 'onnx', 'onnxruntime1.30-node20-cpu'],
    [['model.py', 'weights.json', 'requirements.txt'], 'custom', 'torch1.13-py311-cpu'],
    [['kserve-custom/model.py', 'kserve-custom/weights.json'], 'custom', 'torch1.13-py311-cpu'],
  ])('%j → %s on %s', (paths, format, runtime) => {
    expect(inferPackage(paths)).toEqual({ format, runtime });
  });

  it('leaves the runtime open for a custom package without inference code', () => {
    expect(inferPackage(['weights.bin', 'README.md'])).toEqual({ format: 'custom', runtime: undefined });
  });
});
