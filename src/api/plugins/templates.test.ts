import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { listTemplates, templatesPluginFor, DEFAULT_TEMPLATES_DIR } from './templates.js';

function zipEntries(buf: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: Record<string, string> = {};
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (e2, s) => {
          if (e2) return reject(e2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out[e.fileName] = Buffer.concat(chunks).toString();
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

describe('templates API', () => {
  let app: FastifyInstance;
  let root: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-templates-'));
    const write = (p: string, s: string) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), s);
    };
    write('pytorch/classify/model_service.py', 'import tiinfer\n');
    write('pytorch/classify/README.md', '# pytorch/classify — ImageNet classifier in TorchScript\n');
    write('pytorch/classify/__pycache__/x.pyc', 'junk');
    write('onnx/classify/modeldock.json', '{}');
    write('onnx/classify/template.json', '{"description": "no-code classifier", "runtime": "onnxruntime1.30-node20-cpu", "format": "onnx"}');
    write('node/handler/model_service.ts', 'export default class M {}\n');
    write('node/handler/.hidden', 'x');
    app = await buildApp({ logger: pino({ level: 'silent' }), bodyLimitBytes: 1024, adminToken: '', version: 'test' }, [{ plugin: templatesPluginFor(root) }]);
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists every templates/<kind>/<name> folder with its runtime and format', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/templates' });
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toEqual([
      { name: 'node/handler', description: '', runtime: 'node20-handler', format: 'custom', files: ['model_service.ts'] },
      { name: 'onnx/classify', description: 'no-code classifier', runtime: 'onnxruntime1.30-node20-cpu', format: 'onnx', files: ['modeldock.json'] },
      {
        name: 'pytorch/classify',
        description: 'ImageNet classifier in TorchScript',
        runtime: 'torch1.13-py311-cpu',
        format: 'pytorch',
        files: ['README.md', 'model_service.py'],
      },
    ]);
  });

  it('serves one template and all of them as zips with <kind>/<name>/ folders', async () => {
    const one = await app.inject({ method: 'GET', url: '/api/v1/templates/pytorch/classify.zip' });
    expect([one.statusCode, one.headers['content-type']]).toEqual([200, 'application/zip']);
    expect(await zipEntries(one.rawPayload)).toEqual({
      'pytorch/classify/README.md': '# pytorch/classify — ImageNet classifier in TorchScript\n',
      'pytorch/classify/model_service.py': 'import tiinfer\n',
    });
    const all = await app.inject({ method: 'GET', url: '/api/v1/templates/all.zip' });
    expect(Object.keys(await zipEntries(all.rawPayload)).sort()).toEqual([
      'node/handler/model_service.ts',
      'onnx/classify/modeldock.json',
      'pytorch/classify/README.md',
      'pytorch/classify/model_service.py',
    ]);
  });

  it('answers TEMPLATE_NOT_FOUND for unknown or malformed names', async () => {
    for (const url of [
      '/api/v1/templates/pytorch/nope.zip',
      '/api/v1/templates/pytorch/classify',
      '/api/v1/templates/..%2F..%2Fetc/passwd.zip',
      '/api/v1/templates/tensorflow/x.zip',
    ]) {
      const r = await app.inject({ method: 'GET', url });
      expect([url, r.statusCode, r.json().error.code]).toEqual([url, 404, 'TEMPLATE_NOT_FOUND']);
    }
  });

  it('finds the repository templates', () => {
    const names = listTemplates(DEFAULT_TEMPLATES_DIR).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['onnx/classify', 'node/handler']));
  });
});
