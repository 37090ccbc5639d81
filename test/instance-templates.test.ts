/** `modeldock templates list|download` against the templates API on a real listening app. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { templatesPlugin } from '../src/api/plugins/templates.js';
import { BIN, tempDir } from './instance-harness.js';

const run = promisify(execFile);

function zipNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: false }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => names.push(e.fileName));
      zip.on('end', () => resolve(names.sort()));
    }),
  );
}

describe('CLI: modeldock templates', () => {
  let app: FastifyInstance;
  let server = '';
  beforeAll(async () => {
    app = await buildApp({ logger: pino({ level: 'silent' }), bodyLimitBytes: 1024, adminToken: '', version: 'test' }, [{ plugin: templatesPlugin }]);
    await app.listen({ host: '127.0.0.1', port: 0 });
    server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists the repository templates', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--server', server, '--json', 'templates', 'list']);
    const items = (JSON.parse(stdout) as { items: { name: string; runtime: string }[] }).items;
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'onnx/classify', runtime: 'onnxruntime1.30-node20-cpu' }),
        expect.objectContaining({ name: 'node/handler', runtime: 'node20-handler' }),
      ]),
    );
    const table = await run(process.execPath, [BIN, '--server', server, 'templates', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+RUNTIME\s+FORMAT\s+DESCRIPTION/);
  });

  it('downloads one template and all of them as zips', async () => {
    const dir = tempDir('modeldock-dl-');
    await run(process.execPath, [BIN, '--server', server, 'templates', 'download', 'node/handler', '--out', path.join(dir, 'h.zip')]);
    expect(await zipNames(path.join(dir, 'h.zip'))).toEqual(['node/handler/README.md', 'node/handler/model_service.ts']);
    const { stdout } = await run(process.execPath, [BIN, '--server', server, 'templates', 'download'], { cwd: dir });
    expect(stdout).toMatch(/saved .*modeldock-templates\.zip/);
    expect(await zipNames(path.join(dir, 'modeldock-templates.zip'))).toEqual(
      expect.arrayContaining(['node/handler/model_service.ts', 'onnx/classify/modeldock.json']),
    );
    const missing = await run(process.execPath, [BIN, '--server', server, 'templates', 'download', 'onnx/nope', '--out', path.join(dir, 'x.zip')]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((missing as { stderr: string }).stderr).toMatch(/TEMPLATE_NOT_FOUND/);
    expect(fs.existsSync(path.join(dir, 'x.zip'))).toBe(false);
  });
});
