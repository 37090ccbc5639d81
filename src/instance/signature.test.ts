import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuresImageHandler } from './package-config.js';
import { declaredSignature, mergeSignature, parseSignature } from './signature.js';

const pkg = (config?: unknown): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-sig-'));
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'modeldock.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
};

describe("a code package's OIP signature", () => {
  it('reads inputs/outputs from modeldock.json, which then does not turn on the image handler', () => {
    const dir = pkg({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'INT64', shape: [-1] }] });
    expect(declaredSignature(dir)).toEqual({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'y', datatype: 'INT64', shape: [-1] }],
    });
    expect(configuresImageHandler(dir)).toBe(false);
    expect(configuresImageHandler(pkg({ input: { width: 224, height: 224 } }))).toBe(true);
    expect(configuresImageHandler(pkg('{not json'))).toBe(true);
    expect(declaredSignature(pkg())).toEqual({});
  });

  it('names what is wrong in a declaration', () => {
    expect(() => declaredSignature(pkg({ inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1] }] }))).toThrow(
      /modeldock.json: the inputs\/outputs are invalid: \/inputs\/0\/datatype/,
    );
    expect(() => parseSignature({ outputs: [{ name: 'y', datatype: 'FP32', shape: [-2] }] }, 'MyModel')).toThrow(/^MyModel: .*\/outputs\/0\/shape\/0/);
  });

  it("prefers the package's declaration to the model's own, list by list", () => {
    const mine = { inputs: [{ name: 'a', datatype: 'FP32' as const, shape: [1] }] };
    const model = { inputs: [{ name: 'b', datatype: 'FP32' as const, shape: [1] }], outputs: [{ name: 'c', datatype: 'FP32' as const, shape: [1] }] };
    expect(mergeSignature(mine, model)).toEqual({ inputs: mine.inputs, outputs: model.outputs });
    expect(mergeSignature({}, {})).toEqual({ inputs: [], outputs: [] });
  });
});
