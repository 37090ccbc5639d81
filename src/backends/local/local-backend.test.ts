import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tinyReluOnnx } from '../../../test/gateway-model.js';
import { describeBackend } from '../backend.contract.js';
import { LocalBackend } from './local-backend.js';

describeBackend('local processes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-backend-'));
  fs.mkdirSync(path.join(root, 'good'));
  fs.writeFileSync(path.join(root, 'good', 'model.onnx'), tinyReluOnnx());
  fs.mkdirSync(path.join(root, 'bad'));
  fs.writeFileSync(path.join(root, 'bad', 'model.onnx'), 'this is not an onnx model');
  const backend = new LocalBackend({ blobPath: (key) => path.join(root, key), backoffMs: () => 100 });
  return {
    backend,
    goodModelKey: 'good',
    badModelKey: 'bad',
    runtime: 'onnxruntime1.30-node20-cpu',
    async crash(id) {
      process.kill(backend.list().find((i) => i.instanceId === id)!.pid!, 'SIGKILL');
    },
    async close() {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
