/**
 * The bad-input catalogue (issue #8): hostile and broken requests over the control API
 * and the data plane, one table. Each must answer a 4xx JSON error with its stable code,
 * leave every stored thing as it was (rows, staging, blobs), and leave the platform and
 * its instances running (same pids, still answering).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, TEMPLATES } from './instance-harness.js';
import { tinyInferBody } from './gateway-model.js';
import { multipart } from './support/multipart.js';
import { rawZip } from './support/raw-zip.js';
import { api, importFiles, platformWithTiny, running, tinyVersion, type Answer, type ReliabilityPlatform } from './support/reliability.js';

let rp: ReliabilityPlatform;
let token = '';

beforeAll(async () => {
  rp = await platformWithTiny();
  const classify: Record<string, Buffer> = {
    'model.onnx': fs.readFileSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx')),
    'labels.txt': fs.readFileSync(path.join(FIXTURES, 'imagenet_synset.txt')),
  };
  for (const f of fs.readdirSync(path.join(TEMPLATES, 'onnx/classify'))) classify[f] ??= fs.readFileSync(path.join(TEMPLATES, 'onnx/classify', f));
  await importFiles(rp.base, 'classify', classify);
  await api(rp.base, 'POST', '/api/v1/services', { name: 'tiny', version: tinyVersion() });
  await api(rp.base, 'POST', '/api/v1/services', { name: 'locked', auth: true, version: tinyVersion() });
  await api(rp.base, 'POST', '/api/v1/services', {
    name: 'classify',
    version: { ...tinyVersion(), model: 'classify', resources: { cpuMillicores: 1000, memoryMiB: 1024 } },
  });
  token = (await api(rp.base, 'POST', '/api/v1/services/locked/tokens', { name: 't' })).body.token;
  await Promise.all(['tiny', 'locked', 'classify'].map((s) => running(rp.base, s)));
});
afterAll(async () => {
  await rp?.close();
});

/** Everything stored: rows of every user-visible table, staging leftovers, blob keys. */
async function snapshot(): Promise<unknown> {
  const db = rp.p.db.kysely;
  const rows = async (
    table: 'models' | 'model_versions' | 'version_files' | 'model_tags' | 'services' | 'service_versions' | 'service_tokens' | 'tasks' | 'resource_groups',
  ) => JSON.stringify(await db.selectFrom(table).selectAll().execute());
  const tables = await Promise.all(
    (['models', 'model_versions', 'version_files', 'model_tags', 'services', 'service_versions', 'service_tokens', 'tasks', 'resource_groups'] as const).map(
      rows,
    ),
  );
  const staging = fs.readdirSync(path.join(rp.dataDir, 'staging'));
  const blobs = (await rp.p.blobs.list('')).map((b) => `${b.key}:${b.size}`).sort();
  return { tables, staging, blobs };
}

const instancePids = () =>
  rp.p.backend
    .list()
    .map((i) => `${i.instanceId}:${i.pid}:${i.phase}`)
    .sort();

// ---- request builders ------------------------------------------------------------

const send = (method: string, url: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> =>
  fetch(`${rp.base}${url}`, { method, headers, body }).then(async (r) => {
    const text = await r.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed, text };
  });
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => api(rp.base, 'POST', url, body, headers);
const raw = (url: string, text: string, type = 'application/json') => send('POST', url, text, { 'content-type': type });

function upload(model: string, files: Record<string, Buffer | string>, spec: object = {}): Promise<Answer> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true, ...spec }) },
    ...Object.entries(files).map(([f, d]) => ({ name: 'file', filename: f, data: Buffer.from(d) })),
  ]);
  return send('POST', `/api/v1/models/${model}/versions`, mp.payload, mp.headers);
}

const infer = (body: unknown, service = 'tiny', headers: Record<string, string> = {}) => postJson(`/v2/models/${service}/infer`, body, headers);
const tensor = (over: object = {}) => ({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...over }] });
const predictImages = (images: unknown) => postJson('/classify/v1/models/m:predict', { images });

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const version = (extra: object) => ({ name: 'newsvc', version: { ...tinyVersion(), ...extra } });

/** A PNG that claims 100,000 × 100,000 pixels in a few dozen bytes (a decompression bomb). */
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(100_001))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

type Case = [name: string, send: () => Promise<Answer>, status: number, code: string];

const controlPlane: Case[] = [
  ['malformed JSON', () => raw('/api/v1/models', '{"name":'), 400, 'INVALID_JSON'],
  ['empty JSON body', () => raw('/api/v1/models', ''), 400, 'INVALID_JSON'],
  ['NaN token', () => raw('/api/v1/models', '{"name":NaN}'), 400, 'INVALID_JSON'],
  ['Infinity token', () => raw('/api/v1/models', '{"name":"a","tags":{"x":Infinity}}'), 400, 'INVALID_JSON'],
  ['a JSON array instead of an object', () => postJson('/api/v1/models', [{ name: 'a' }]), 400, 'INVALID_ARGUMENT'],
  ['a JSON string instead of an object', () => raw('/api/v1/models', '"model"'), 400, 'INVALID_ARGUMENT'],
  ['name of the wrong type', () => postJson('/api/v1/models', { name: 42 }), 400, 'INVALID_ARGUMENT'],
  ['name missing', () => postJson('/api/v1/models', { description: 'x' }), 400, 'INVALID_ARGUMENT'],
  ['name of 61 characters', () => postJson('/api/v1/models', { name: 'a'.repeat(61) }), 400, 'INVALID_NAME'],
  ['name of 100,000 characters', () => postJson('/api/v1/models', { name: 'a'.repeat(100_000) }), 400, 'INVALID_NAME'],
  ['CJK name', () => postJson('/api/v1/models', { name: '模型' }), 400, 'INVALID_NAME'],
  ['emoji and right-to-left override in a name', () => postJson('/api/v1/models', { name: 'ok\u202Egnp.exe🙂' }), 400, 'INVALID_NAME'],
  ['NUL byte in a name', () => postJson('/api/v1/models', { name: 'a\u0000b' }), 400, 'INVALID_NAME'],
  ['name starting with a dash', () => postJson('/api/v1/models', { name: '-rf' }), 400, 'INVALID_NAME'],
  ['name with a slash', () => postJson('/api/v1/models', { name: 'a/../b' }), 400, 'INVALID_NAME'],
  ['unknown field', () => postJson('/api/v1/models', { name: 'x', colour: 'red' }), 400, 'INVALID_ARGUMENT'],
  ['tags as an array', () => postJson('/api/v1/models', { name: 'x', tags: ['a'] }), 400, 'INVALID_ARGUMENT'],
  ['a tag value that is not a string', () => postJson('/api/v1/models', { name: 'x', tags: { a: { b: 1 } } }), 400, 'INVALID_ARGUMENT'],
  ['__proto__ in a body', () => raw('/api/v1/models', '{"name":"x","__proto__":{"admin":true}}'), 400, 'INVALID_JSON'],
  ['constructor.prototype in a body', () => raw('/api/v1/models', '{"name":"x","constructor":{"prototype":{"admin":true}}}'), 400, 'INVALID_JSON'],
  ['a body over the JSON limit (9 MiB)', () => postJson('/api/v1/models', { name: 'x', description: 'a'.repeat(9 * 1024 * 1024) }), 413, 'UPLOAD_TOO_LARGE'],
  ['text/plain where JSON is taken', () => raw('/api/v1/models', 'name=x', 'text/plain'), 400, 'INVALID_ARGUMENT'],
  ['XML where JSON is taken', () => raw('/api/v1/models', '<model name="x"/>', 'application/xml'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  [
    'metrics nested 100,000 deep',
    () =>
      raw(
        '/api/v1/models/tiny/versions',
        `{"source":{"type":"storage","path":"nowhere"},"format":"onnx","runtime":"onnxruntime1.30-node20-cpu","metrics":{"a":${nested(100_000)}}}`,
      ),
    400,
    'INVALID_JSON',
  ],
  [
    'metrics nested 65 deep (one past the limit)',
    () =>
      raw(
        '/api/v1/models/tiny/versions',
        `{"source":{"type":"storage","path":"nowhere"},"format":"onnx","runtime":"onnxruntime1.30-node20-cpu","metrics":${nested(64)}}`,
      ),
    400,
    'INVALID_JSON',
  ],
  ['service without a version', () => postJson('/api/v1/services', { name: 'newsvc' }), 400, 'INVALID_ARGUMENT'],
  ['service named like a reserved root path', () => postJson('/api/v1/services', { ...version({}), name: 'api' }), 400, 'INVALID_NAME'],
  ['negative cpuMillicores', () => postJson('/api/v1/services', version({ resources: { cpuMillicores: -1, memoryMiB: 512 } })), 400, 'INVALID_ARGUMENT'],
  ['memoryMiB as a string', () => postJson('/api/v1/services', version({ resources: { cpuMillicores: 1000, memoryMiB: '512' } })), 400, 'INVALID_ARGUMENT'],
  ['a billion instances', () => postJson('/api/v1/services', version({ scaling: { mode: 'manual', instances: 1e9 } })), 400, 'INVALID_ARGUMENT'],
  ['unknown scaling mode', () => postJson('/api/v1/services', version({ scaling: { mode: 'magic' } })), 400, 'INVALID_ARGUMENT'],
  ['env value that is not a string', () => postJson('/api/v1/services', version({ env: { A: 1 } })), 400, 'INVALID_ARGUMENT'],
  ['service of an unknown model', () => postJson('/api/v1/services', version({ model: 'nope' })), 404, 'MODEL_NOT_FOUND'],
  ['service of an unknown model version', () => postJson('/api/v1/services', version({ modelVersion: 'v99' })), 404, 'VERSION_NOT_FOUND'],
  ['a service that exists', () => postJson('/api/v1/services', { ...version({}), name: 'tiny' }), 409, 'SERVICE_EXISTS'],
  ['unknown action', () => postJson('/api/v1/services/tiny/actions', { action: 'explode' }), 400, 'INVALID_ARGUMENT'],
  ['scale to a negative count', () => postJson('/api/v1/services/tiny/actions', { action: 'scale', instances: -3 }), 400, 'INVALID_ARGUMENT'],
  ['token limits of the wrong type', () => postJson('/api/v1/services/locked/tokens', { limits: { perMinute: 'many' } }), 400, 'INVALID_ARGUMENT'],
  ['unknown import runtime', () => upload('tiny', { 'model.onnx': 'x' }, { runtime: 'tensorflow9' }), 400, 'UNKNOWN_RUNTIME'],
  [
    'import from a local folder outside the roots',
    () => postJson('/api/v1/models/tiny/versions', { source: { type: 'storage', path: 'file:///etc' }, format: 'custom', runtime: 'node20-handler' }),
    403,
    'LOCAL_PATH_NOT_ALLOWED',
  ],
  // uploads
  ['zip slip ../', () => upload('tiny', { 'x.zip': rawZip([{ name: '../../evil.py', data: Buffer.from('x') }]) }), 400, 'UNSAFE_ARCHIVE_ENTRY'],
  ['absolute path in a zip', () => upload('tiny', { 'x.zip': rawZip([{ name: '/etc/cron.d/x', data: Buffer.from('x') }]) }), 400, 'UNSAFE_ARCHIVE_ENTRY'],
  [
    'symlink in a zip',
    () => upload('tiny', { 'x.zip': rawZip([{ name: 'link', data: Buffer.from('/etc/passwd'), symlink: true }]) }),
    400,
    'UNSAFE_ARCHIVE_ENTRY',
  ],
  ['zip bomb', () => upload('tiny', { 'x.zip': rawZip([{ name: 'zeros.bin', data: Buffer.alloc(64 << 20), deflate: true }]) }), 413, 'ARCHIVE_TOO_LARGE'],
  ['not a zip', () => upload('tiny', { 'x.zip': Buffer.from('PK\u0003\u0004 but not really') }), 400, 'INVALID_ARCHIVE'],
  ['../ in an uploaded file name', () => upload('tiny', { '../../etc/passwd': 'x' }), 400, 'INVALID_PATH'],
  ['backslash in an uploaded file name', () => upload('tiny', { '..\\..\\boot.ini': 'x' }), 400, 'INVALID_PATH'],
  ['an upload with no files', () => upload('tiny', {}), 400, 'EMPTY_IMPORT'],
  // paths
  ['version file path traversal', () => send('GET', '/api/v1/models/tiny/versions/v1/files/..%2F..%2F..%2Fmodeldock.db'), 400, 'INVALID_PATH'],
  [
    'version file write with traversal',
    () => send('PUT', '/api/v1/models/tiny/versions/v1/files/a%2F..%2F..%2Fx', Buffer.from('x'), { 'content-type': 'application/octet-stream' }),
    400,
    'INVALID_PATH',
  ],
  ['storage path traversal', () => send('GET', '/api/v1/storage/..%2F..%2Fetc%2Fpasswd'), 400, 'INVALID_PATH'],
  [
    'storage write into the repository area',
    () => send('PUT', '/api/v1/storage/models/tiny/x', Buffer.from('x'), { 'content-type': 'application/octet-stream' }),
    403,
    'FORBIDDEN',
  ],
  // unknown things, wrong methods
  ['unknown model', () => send('GET', '/api/v1/models/nope'), 404, 'MODEL_NOT_FOUND'],
  ['unknown model version', () => send('GET', '/api/v1/models/tiny/versions/v99'), 404, 'VERSION_NOT_FOUND'],
  ['unknown version file', () => send('GET', '/api/v1/models/tiny/versions/v1/files/nope.txt'), 404, 'FILE_NOT_FOUND'],
  ['unknown service', () => send('GET', '/api/v1/services/nope'), 404, 'SERVICE_NOT_FOUND'],
  ['unknown token', () => send('DELETE', '/api/v1/services/locked/tokens/nope'), 404, 'TOKEN_NOT_FOUND'],
  ['unknown task', () => send('GET', '/api/v1/tasks/nope'), 404, 'TASK_NOT_FOUND'],
  ['unknown route', () => send('GET', '/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND'],
  ['PUT on the models collection', () => send('PUT', '/api/v1/models'), 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE on the runtime catalog', () => send('DELETE', '/api/v1/runtimes'), 405, 'METHOD_NOT_ALLOWED'],
];

const dataPlane: Case[] = [
  ['OIP: malformed JSON', () => raw('/v2/models/tiny/infer', '{"inputs":['), 400, 'INVALID_JSON'],
  ['OIP: NaN token', () => raw('/v2/models/tiny/infer', '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[NaN,1,2,3]}]}'), 400, 'INVALID_JSON'],
  ['OIP: an array body', () => infer([tensor()]), 400, 'INVALID_TENSOR'],
  ['OIP: no inputs', () => infer({}), 400, 'INVALID_TENSOR'],
  ['OIP: an input without a name', () => infer({ inputs: [{ shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), 400, 'INVALID_TENSOR'],
  ['OIP: unknown input name', () => infer(tensor({ name: 'z' })), 400, 'INVALID_TENSOR'],
  ['OIP: the same input twice', () => infer({ inputs: [tensor().inputs[0], tensor().inputs[0]] }), 400, 'INVALID_TENSOR'],
  ['OIP: wrong datatype', () => infer(tensor({ datatype: 'INT32' })), 400, 'INVALID_TENSOR'],
  ['OIP: unknown datatype', () => infer(tensor({ datatype: 'FP8' })), 400, 'INVALID_TENSOR'],
  ['OIP: wrong shape', () => infer(tensor({ shape: [1, 5], data: [1, 2, 3, 4, 5] })), 400, 'INVALID_TENSOR'],
  ['OIP: shape and data disagree', () => infer(tensor({ shape: [2, 4] })), 400, 'INVALID_TENSOR'],
  ['OIP: negative dimension', () => infer(tensor({ shape: [-1, 4] })), 400, 'INVALID_TENSOR'],
  ['OIP: fractional dimension', () => infer(tensor({ shape: [0.5, 8] })), 400, 'INVALID_TENSOR'],
  ['OIP: shape of rank 100', () => infer(tensor({ shape: Array(100).fill(1) })), 400, 'INVALID_TENSOR'],
  ['OIP: strings in FP32 data', () => infer(tensor({ data: ['1', '2', '3', '4'] })), 400, 'INVALID_TENSOR'],
  ['OIP: null in data', () => infer(tensor({ data: [1, null, 3, 4] })), 400, 'INVALID_TENSOR'],
  ['OIP: data not an array', () => infer(tensor({ data: 'abcd' })), 400, 'INVALID_TENSOR'],
  [
    'OIP: 1e999 (Infinity) in data',
    () => raw('/v2/models/tiny/infer', '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1e999,1,2,3]}]}'),
    400,
    'INVALID_TENSOR',
  ],
  [
    'OIP: data nested 100,000 deep',
    () => raw('/v2/models/tiny/infer', `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[${nested(100_000)}]}]}`),
    400,
    'INVALID_JSON',
  ],
  ['OIP: INT64 input that is fractional (decoder)', () => infer(tensor({ datatype: 'INT64', data: [1.5, 2, 3, 4] })), 400, 'INVALID_TENSOR'],
  ['OIP: UINT8 value out of range (decoder)', () => infer(tensor({ datatype: 'UINT8', data: [300, 2, 3, 4] })), 400, 'INVALID_TENSOR'],
  ['OIP: unknown output asked for', () => infer({ ...tensor(), outputs: [{ name: 'nope' }] }), 400, 'INVALID_TENSOR'],
  [
    'OIP: a body over the data-plane limit',
    () => raw('/v2/models/tiny/infer', `{"inputs":[],"pad":"${'a'.repeat(9 * 1024 * 1024)}"}`),
    413,
    'UPLOAD_TOO_LARGE',
  ],
  ['OIP: unknown service', () => infer(tensor(), 'nope'), 404, 'SERVICE_NOT_FOUND'],
  ['OIP: unknown service version', () => postJson('/v2/models/tiny/versions/9/infer', tensor()), 404, 'SERVICE_VERSION_NOT_FOUND'],
  ['OIP: a version that is not a number', () => postJson('/v2/models/tiny/versions/..%2F..%2Fapi/infer', tensor()), 404, 'SERVICE_VERSION_NOT_FOUND'],
  ['OIP: GET on infer', () => send('GET', '/v2/models/tiny/infer'), 405, 'METHOD_NOT_ALLOWED'],
  ['auth: no token', () => infer(tensor(), 'locked'), 401, 'UNAUTHENTICATED'],
  ['auth: a wrong token', () => infer(tensor(), 'locked', { authorization: 'Bearer md_wrong' }), 401, 'UNAUTHENTICATED'],
  [
    "auth: another service's scheme",
    () => infer(tensor(), 'locked', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
    401,
    'UNAUTHENTICATED',
  ],
  ['TI-ONE: malformed JSON', () => raw('/classify/v1/models/m:predict', '{"images":'), 400, 'INVALID_JSON'],
  ['TI-ONE: a body nested 100,000 deep', () => raw('/classify/v1/models/m:predict', `{"images":${nested(100_000)}}`), 400, 'INVALID_JSON'],
  ['TI-ONE: no images field', () => postJson('/classify/v1/models/m:predict', { pictures: [] }), 400, 'INVALID_INPUT'],
  ['TI-ONE: empty images', () => predictImages([]), 400, 'INVALID_INPUT'],
  ['TI-ONE: images not an array', () => predictImages('aGVsbG8='), 400, 'INVALID_INPUT'],
  ['TI-ONE: 1,000 images', () => predictImages(Array(1000).fill('aGVsbG8=')), 400, 'INVALID_INPUT'],
  ['TI-ONE: an image item that is a number', () => predictImages([42]), 400, 'INVALID_INPUT'],
  ['TI-ONE: undecodable base64', () => predictImages(['@@@not base64@@@']), 400, 'IMAGE_DECODE_FAILED'],
  ['TI-ONE: base64 of text', () => predictImages([Buffer.from('hello, not an image').toString('base64')]), 400, 'IMAGE_DECODE_FAILED'],
  ['TI-ONE: a data URI of text', () => predictImages([`data:text/plain;base64,${Buffer.from('hi').toString('base64')}`]), 400, 'IMAGE_DECODE_FAILED'],
  ['TI-ONE: a decompression bomb (100,000² PNG)', () => predictImages([pngBomb().toString('base64')]), 400, 'IMAGE_DECODE_FAILED'],
  [
    'TI-ONE: the cloud metadata address',
    () => predictImages(['http://169.254.169.254/latest/meta-data/iam/security-credentials/']),
    400,
    'IMAGE_ADDRESS_REFUSED',
  ],
  ['TI-ONE: loopback', () => predictImages([`${rp.base}/api/v1/models`]), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: localhost by name', () => predictImages(['http://localhost:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: a private address', () => predictImages(['http://10.1.2.3/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: IPv6 loopback', () => predictImages(['http://[::1]:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: IPv4-mapped IPv6 loopback', () => predictImages(['http://[::ffff:127.0.0.1]:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: IPv4-compatible IPv6 loopback', () => predictImages(['http://[::127.0.0.1]:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: NAT64 loopback', () => predictImages(['http://[64:ff9b::7f00:1]:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: NAT64 metadata address', () => predictImages(['http://[64:ff9b::a9fe:a9fe]/latest/meta-data/']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: IPv6 link-local', () => predictImages(['http://[fe80::1]/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: loopback written as one decimal number', () => predictImages(['http://2130706433:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: 0.0.0.0', () => predictImages(['http://0.0.0.0:1/x.jpg']), 400, 'IMAGE_ADDRESS_REFUSED'],
  ['TI-ONE: a file:// URL', () => predictImages(['file:///etc/passwd']), 400, 'IMAGE_FETCH_FAILED'],
  ['TI-ONE: an ftp:// URL', () => predictImages(['ftp://example.com/x.jpg']), 400, 'IMAGE_FETCH_FAILED'],
  ['TI-ONE: a gopher:// URL', () => predictImages(['gopher://127.0.0.1:6379/_FLUSHALL']), 400, 'IMAGE_FETCH_FAILED'],
];

describe('bad input catalogue', () => {
  let before: unknown;
  let pids: string[];
  beforeAll(async () => {
    before = await snapshot();
    pids = instancePids();
    expect(controlPlane.length + dataPlane.length).toBeGreaterThanOrEqual(60);
  });

  for (const [name, request, status, code] of [...controlPlane, ...dataPlane]) {
    it(`${name} → ${status} ${code}`, async () => {
      const r = await request();
      expect(r.body?.error, `${r.status} ${r.text.slice(0, 300)}`).toBeDefined();
      // the /v2 routes answer the protocol's {"error": "message", "code"}, the others {"error": {code, message}}
      const e = typeof r.body.error === 'string' ? { code: r.body.code, message: r.body.error } : r.body.error;
      expect([r.status, e.code], e.message).toEqual([status, code]);
      expect(typeof e.message).toBe('string');
    });
  }

  it('changed nothing stored, and the platform and every instance still run and answer', async () => {
    expect(await snapshot()).toEqual(before);
    expect(instancePids()).toEqual(pids);
    expect((await send('GET', '/healthz')).status).toBe(200);
    expect((await postJson('/v2/models/tiny/infer', JSON.parse(tinyInferBody()))).status).toBe(200);
    expect((await postJson('/v2/models/locked/infer', JSON.parse(tinyInferBody()), { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});
