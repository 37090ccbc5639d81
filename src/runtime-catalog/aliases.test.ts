import { describe, expect, it } from 'vitest';
import { resolveRuntime } from './aliases.js';
import { findRuntime, RUNTIME_IDS } from './catalog.js';

const known = (id: string) => !!findRuntime(id);

describe('resolveRuntime', () => {
  it('keeps catalog ids as they are', () => {
    for (const id of Object.values(RUNTIME_IDS)) expect(resolveRuntime(id, known)).toEqual({ id });
  });

  it('maps TI-ONE torch, detectron2 and mmdetection names onto the torch runtime, with a note', () => {
    for (const name of [
      'torch1.9.0-py38-cu111',
      'pytorch1.9.0-py38',
      'pytorch1.12.1-py38',
      'PyTorch1.12.1-py38',
      'detectron2-py38',
      'mmdetection1.4.8-py38',
      'torch2.1-py310',
    ]) {
      const r = resolveRuntime(name, known);
      expect(r).toMatchObject({ id: RUNTIME_IDS.torch, requested: name });
      expect(r && 'note' in r && r.note).toContain(`"${name}" runs here on ${RUNTIME_IDS.torch}`);
    }
    expect(resolveRuntime('torch1.9.0-py38-cu111', known)).toMatchObject({ note: expect.stringMatching(/CUDA is not used/) });
  });

  it('maps TI-ONE onnx names onto the ONNX runtime', () => {
    expect(resolveRuntime('onnx1.11.1-py38', known)).toMatchObject({ id: RUNTIME_IDS.onnx, requested: 'onnx1.11.1-py38' });
  });

  it('refuses TensorFlow and PMML names with what to do instead; answers undefined for anything else', () => {
    expect(resolveRuntime('tensorflow2.4-py38', known)).toEqual({ refused: expect.stringMatching(/no TensorFlow runtime.*ONNX/) });
    expect(resolveRuntime('tensorflow1.15-py37', known)).toHaveProperty('refused');
    expect(resolveRuntime('jpmml-py38', known)).toHaveProperty('refused');
    for (const name of ['x', 'caffe-py27', 'torchy', 'onnxish-1']) expect(resolveRuntime(name, known)).toBeUndefined();
  });
});
