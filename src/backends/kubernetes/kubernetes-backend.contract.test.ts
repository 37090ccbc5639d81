/**
 * The Kubernetes backend through the same contract as the local one: the real manifests
 * it applies are run by a one-node kubelet that starts their containers as processes
 * (test/support/process-kubelet.ts), so a pod's args, env, model fetch and probes are
 * exercised against the real `modeldock fetch-blobs` and `modeldock instance`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tinyReluOnnx } from '../../../test/gateway-model.js';
import { ProcessKubelet } from '../../../test/support/process-kubelet.js';
import { FolderBlobStore } from '../../store/blobs/folder-blob-store.js';
import { describeBackend } from '../backend.contract.js';
import { KubernetesBackend } from './kubernetes-backend.js';

describeBackend('kubernetes (pods run by a process kubelet)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-k8s-contract-'));
  const blobs = new FolderBlobStore(path.join(root, 'blobs'));
  await blobs.put('models/good/v1/model.onnx', tinyReluOnnx());
  await blobs.put('models/bad/v1/model.onnx', Buffer.from('this is not an onnx model'));
  const settings = { namespace: 'ml', image: 'modeldock:test', configMap: 'modeldock-config', secret: 'modeldock-s3', prometheusUrl: 'http://prom:9090' };
  const cluster = new ProcessKubelet({ 'modeldock-config': { MODELDOCK_BLOB_URL: `file://${blobs.root}` } });
  const backend = new KubernetesBackend({ cluster, settings, pollMs: 100 });
  return {
    backend,
    goodModelKey: 'models/good/v1',
    badModelKey: 'models/bad/v1',
    runtime: 'onnxruntime1.30-node20-cpu',
    async crash(id) {
      const url = backend.list().find((i) => i.instanceId === id)?.url;
      if (!url) throw new Error(`instance ${id} has no address`);
      cluster.podAt(url).kill('SIGKILL');
    },
    async close() {
      await backend.close();
      await cluster.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
