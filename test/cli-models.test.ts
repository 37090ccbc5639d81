/**
 * Issue 2's Done-when through the CLI: import a folder as mnist_train v1 (torchscript),
 * upload two more files, list, download the zip and get byte-identical files back; and
 * the errors a user meets. Real `modeldock up` in a child process, real binary.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model, ModelVersion, Page, VersionFile } from '../src/contracts/resources.js';
import { cli, cliJson, closedPort, sha256, startPlatform, tmpDir, unzipHashes, writeTree, type RunningPlatform } from './cli-harness.js';
import { rawZip } from './support/raw-zip.js';

const MODEL_SERVICE = `import tiinfer

class MnistModel(tiinfer.Model):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        self.model_dir = model_dir

    def load(self):
        return True

    def preprocess(self, request):
        return request

    def predict(self, data):
        return data

    def postprocess(self, result):
        return result
`;

let platform: RunningPlatform;
let work: string;
/** path in the version → bytes, as the user has them locally */
const expected: Record<string, Buffer> = {};

beforeAll(async () => {
  platform = await startPlatform();
  work = tmpDir('cli-work');
  const pkg = {
    'model.pt': randomBytes(2 * 1024 * 1024 + 17),
    'model_service.py': Buffer.from(MODEL_SERVICE),
    'labels/数字 labels.txt': Buffer.from('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n'),
    // names that need escaping in a multipart header
    'notes/a;b "q" it\'s 100%.txt': Buffer.from('odd names survive'),
  };
  writeTree(path.join(work, 'mnist'), pkg);
  writeTree(path.join(work, 'extra'), { 'config.json': '{"inputs":[{"name":"images"}]}', 'requirements.txt': 'torch\ntorchvision\n' });
  Object.assign(expected, pkg, {
    'config.json': fs.readFileSync(path.join(work, 'extra/config.json')),
    'requirements.txt': fs.readFileSync(path.join(work, 'extra/requirements.txt')),
  });
});

afterAll(async () => {
  if (platform) expect(await platform.stop()).toBe(0);
});

const hashesOf = (files: Record<string, Buffer>) => Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha256(v)]));
const hashesFrom = (items: VersionFile[]) => Object.fromEntries(items.map((f) => [f.path, f.sha256]));

describe('the model repository through the CLI', () => {
  it('imports a folder as mnist_train v1 and waits until it is ready', async () => {
    const v = await cliJson<ModelVersion>(platform.url, [
      'models',
      'import',
      'mnist_train',
      '--dir',
      path.join(work, 'mnist'),
      '--format',
      'torchscript',
      '--runtime',
      'torch1.13-py311-cpu',
      '--metrics',
      '{"accuracy":0.98}',
    ]);
    expect(v).toMatchObject({
      model: 'mnist_train',
      version: 'v1',
      status: 'ready',
      format: 'torchscript',
      runtime: 'torch1.13-py311-cpu',
      metrics: { accuracy: 0.98 },
    });
    const { 'config.json': _c, 'requirements.txt': _r, ...pkg } = expected;
    expect(hashesFrom(v.files ?? [])).toEqual(hashesOf(pkg));
  });

  it('uploads two more files into v1, with a table on stdout', async () => {
    const r = await cli(platform.url, [
      'models',
      'files',
      'upload',
      'mnist_train',
      'v1',
      path.join(work, 'extra/config.json'),
      path.join(work, 'extra/requirements.txt'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/uploaded 2 file\(s\) to mnist_train v1/);
    const { items } = await cliJson<{ items: VersionFile[] }>(platform.url, ['models', 'files', 'ls', 'mnist_train', 'v1']);
    expect(hashesFrom(items)).toEqual(hashesOf(expected));
  });

  it('lists and shows the model', async () => {
    const page = await cliJson<Page<Model>>(platform.url, ['models', 'list', '--keyword', 'mnist']);
    expect(page.items.map((m) => [m.name, m.latestVersion, m.versionCount])).toEqual([['mnist_train', 'v1', 1]]);
    const human = await cli(platform.url, ['models', 'list']);
    expect(human.stdout).toMatch(/^NAME\s+LATEST\s+VERSIONS/m);
    expect(human.stdout).toMatch(/^mnist_train\s+v1\s+1\s/m);
    const show = await cli(platform.url, ['models', 'show', 'mnist_train']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^v1\s+ready\s+torchscript\s+torch1\.13-py311-cpu\s+upload\s+6\s/m);
  });

  it('downloads the version as a zip with byte-identical files', async () => {
    const out = path.join(work, 'mnist_train-v1.zip');
    const r = await cli(platform.url, ['models', 'files', 'download', 'mnist_train', 'v1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`saved ${out}`);
    expect(await unzipHashes(out)).toEqual(hashesOf(expected));
  });

  it('downloads one file (a UTF-8 name) to stdout and to a file', async () => {
    const name = 'labels/数字 labels.txt';
    const toStdout = await cli(platform.url, ['models', 'files', 'download', 'mnist_train', 'latest', name, '--out', '-']);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toBe(expected[name]!.toString());
    const r = await cli(platform.url, ['models', 'files', 'download', 'mnist_train', '1', 'model.pt'], { cwd: work });
    expect(r.code).toBe(0);
    expect(sha256(fs.readFileSync(path.join(work, 'model.pt')))).toBe(sha256(expected['model.pt']!));
  });

  it('removes a file from the version', async () => {
    const r = await cli(platform.url, ['models', 'files', 'rm', 'mnist_train', 'v1', 'requirements.txt']);
    expect(r.code).toBe(0);
    const v = await cliJson<ModelVersion>(platform.url, ['models', 'version', 'mnist_train', 'v1']);
    expect(v.files?.map((f) => f.path).sort()).toEqual(
      Object.keys(expected)
        .filter((p) => p !== 'requirements.txt')
        .sort(),
    );
  });

  it('imports a zip as v2, inferring format and runtime from its files', async () => {
    const zip = path.join(work, 'onnx-pkg.zip');
    fs.writeFileSync(
      zip,
      rawZip([
        { name: 'model.onnx', data: randomBytes(1000) },
        { name: 'modeldock.json', data: Buffer.from('{}') },
      ]),
    );
    const r = await cli(platform.url, ['--json', 'models', 'import', 'mnist_train', '--zip', zip]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/inferred format onnx, runtime onnxruntime1\.30-node20-cpu/);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 'v2', status: 'ready', format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', fileCount: 2 });
  });

  it('creates, tags, filters, updates and deletes a model', async () => {
    expect((await cli(platform.url, ['models', 'create', 'scratch', '-d', 'a scratch model', '--tag', 'team=cv', '--tag', 'stage=dev'])).code).toBe(0);
    const byTag = await cliJson<Page<Model>>(platform.url, ['models', 'list', '--tag', 'team=cv']);
    expect(byTag.items.map((m) => m.name)).toEqual(['scratch']);
    const updated = await cliJson<Model>(platform.url, ['models', 'update', 'scratch', '--tag', 'team=nlp']);
    expect(updated.tags).toEqual({ team: 'nlp' });
    expect((await cli(platform.url, ['models', 'delete', 'scratch'])).code).toBe(0);
    const after = await cli(platform.url, ['models', 'show', 'scratch']);
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/^error: MODEL_NOT_FOUND: /);
  });
});

describe('errors through the CLI', () => {
  it('an unknown model: exit 3 (not found) and one line with the code on stderr', async () => {
    const r = await cli(platform.url, ['models', 'show', 'no_such_model']);
    expect(r).toMatchObject({ code: 3, stdout: '' });
    expect(r.stderr).toMatch(/^error: MODEL_NOT_FOUND: .*no_such_model.*\n$/);
  });

  it('a bad name is refused by the platform on create and by the CLI before an upload', async () => {
    const create = await cli(platform.url, ['models', 'create', 'bad name!']);
    expect(create.code).toBe(2);
    expect(create.stderr).toMatch(/^error: INVALID_(NAME|ARGUMENT): .*name/);
    const imp = await cli(platform.url, [
      'models',
      'import',
      'bad.name',
      '--dir',
      path.join(work, 'mnist'),
      '--format',
      'custom',
      '--runtime',
      'node20-handler',
    ]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toMatch(/^error: INVALID_NAME: /);
    const all = await cliJson<Page<Model>>(platform.url, ['models', 'list']);
    expect(all.items.map((m) => m.name)).toEqual(['mnist_train']);
  });

  it('an unsafe zip is refused and leaves no version behind', async () => {
    const zip = path.join(work, 'evil.zip');
    fs.writeFileSync(
      zip,
      rawZip([
        { name: 'model.pt', data: Buffer.from('x') },
        { name: '../escape.py', data: Buffer.from('boom') },
      ]),
    );
    const r = await cli(platform.url, ['models', 'import', 'mnist_train', '--zip', zip, '--format', 'custom', '--runtime', 'torch1.13-py311-cpu']);
    expect(r.code).toBe(/^error: UNSAFE_ARCHIVE_ENTRY/.test(r.stderr) ? 2 : 1);
    expect(r.stderr).toMatch(/^error: (UNSAFE_ARCHIVE_ENTRY|IMPORT_FAILED): .*escape/);
    const versions = (await cliJson<{ versions: ModelVersion[] }>(platform.url, ['models', 'show', 'mnist_train'])).versions;
    expect(
      versions
        .filter((v) => v.status === 'ready')
        .map((v) => v.version)
        .sort(),
    ).toEqual(['v1', 'v2']);
  });

  it('import without a source, or with a runtime it cannot guess, says what to pass', async () => {
    const none = await cli(platform.url, ['models', 'import', 'x']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: INVALID_ARGUMENT: say what to import: --dir/);
    writeTree(path.join(work, 'plain'), { 'weights.bin': 'w' });
    const guess = await cli(platform.url, ['models', 'import', 'x', '--dir', path.join(work, 'plain')]);
    expect(guess.code).toBe(2);
    expect(guess.stderr).toMatch(/give --runtime/);
  });

  it('an unknown runtime comes back from the platform as UNKNOWN_RUNTIME', async () => {
    const r = await cli(platform.url, ['models', 'import', 'mnist_train', '--dir', path.join(work, 'mnist'), '--runtime', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^(.*\n)?error: UNKNOWN_RUNTIME: /);
  });

  it('no server: exit 6 (unavailable) and a line telling the user to run `modeldock up`', async () => {
    const r = await cli(`http://127.0.0.1:${await closedPort()}`, ['models', 'list']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /^error: UNREACHABLE: cannot reach modeldock at http:\/\/127\.0\.0\.1:\d+ \(connection refused\): start the platform with `modeldock up`/,
    );
  });
});
