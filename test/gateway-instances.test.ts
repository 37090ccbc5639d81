/**
 * The gateway in front of REAL `modeldock instance` processes serving a real ONNX model
 * (test/gateway-model.ts): weighted split across versions, OIP metadata and infer, token
 * auth, and an instance killed with SIGKILL under load without a failed call.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBinary, unpackBinary } from '../src/instance/binary-tensors.js';
import { ServicesRepo } from '../src/services/services-repo.js';
import { TokenService } from '../src/tokens/tokens.js';
import { openDb } from '../src/store/db/connect.js';
import { base64Of, squeezenetPackage } from './instance-harness.js';
import { call, load, MemoryDirectory, startGateway, startInstance, version, type InstanceProcess, type TestGateway } from './gateway-harness.js';
import { tinyInferBody, tinyModelDir } from './gateway-model.js';

const modelDir = tinyModelDir();
const instances: InstanceProcess[] = [];
const gateways: TestGateway[] = [];
afterAll(async () => {
  for (const g of gateways) await g.close();
  for (const i of instances) await i.close();
});

async function instance(name: string): Promise<InstanceProcess> {
  const i = await startInstance(modelDir, name);
  instances.push(i);
  return i;
}

describe('gateway → real instances', () => {
  const dir = new MemoryDirectory();
  let gw: TestGateway;
  let one: InstanceProcess;
  let two: InstanceProcess;

  beforeAll(async () => {
    [one, two] = await Promise.all([instance('tiny'), instance('tiny')]);
    gw = await startGateway(dir);
    gateways.push(gw);
  });

  it('answers OIP v2 infer and metadata through the gateway', async () => {
    dir.set({ name: 'tiny', auth: false, stopped: false, versions: [version('v1', 1, 100, [one.url])] });
    const r = await call(`${gw.url}/v2/models/tiny/infer`, { body: tinyInferBody([-3, -1, 0.5, 4]) });
    expect(r.status).toBe(200);
    const out = r.json().outputs[0];
    expect([out.name, out.shape, out.data]).toEqual(['y', [1, 4], [0, 0, 0.5, 4]]);
    const meta = await call(`${gw.url}/v2/models/tiny`);
    expect(meta.status).toBe(200);
    expect(meta.json().inputs[0].name).toBe('x');
  });

  it('carries OIP v2 binary tensors both ways (Inference-Header-Content-Length) and says why a bad one is refused', async () => {
    dir.set({ name: 'tiny', auth: false, stopped: false, versions: [version('v1', 1, 100, [one.url])] });
    const x = Float32Array.of(-3, -1, 0.5, 4);
    const send = async (json: unknown, parts: Uint8Array[], headerLength?: string) => {
      const p = packBinary(json, parts);
      const r = await request(`${gw.url}/v2/models/tiny/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': headerLength ?? p.headerLength },
        body: p.body,
      });
      return { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
    };
    const input = { name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } };
    const raw = await send({ inputs: [input], outputs: [{ name: 'y', parameters: { binary_data: true } }] }, [new Uint8Array(x.buffer)]);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/octet-stream');
    const back = unpackBinary(raw.body, String(raw.headers['inference-header-content-length']));
    expect(back.json.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }]);
    expect(Array.from(new Float32Array(new Uint8Array(back.bytes.y!).buffer))).toEqual([0, 0, 0.5, 4]);
    // binary in, JSON out (no output asked for as binary)
    const json = await send({ inputs: [input] }, [new Uint8Array(x.buffer)]);
    expect(json.status).toBe(200);
    expect(json.headers['inference-header-content-length']).toBeUndefined();
    expect(JSON.parse(json.body.toString()).outputs[0].data).toEqual([0, 0, 0.5, 4]);
    const short = await send({ inputs: [{ ...input, parameters: { binary_data_size: 12 } }] }, [new Uint8Array(x.buffer, 0, 12)]);
    expect(short.status).toBe(400);
    expect(JSON.parse(short.body.toString())).toMatchObject({ code: 'INVALID_TENSOR', error: expect.stringContaining('takes 16 bytes') });
    const lying = await send({ inputs: [input] }, [new Uint8Array(x.buffer)], '100000');
    expect(lying.status).toBe(400);
    expect(JSON.parse(lying.body.toString()).code).toBe('INVALID_TENSOR');
  });

  it('splits traffic 90/10 between versions within ±3% over 2,000 calls', async () => {
    dir.set({ name: 'tiny', auth: false, stopped: false, versions: [version('v1', 1, 90, [one.url]), version('v2', 2, 10, [two.url])] });
    const from = gw.access.length;
    const statuses = await load(2000, 16, async () => (await call(`${gw.url}/v2/models/tiny/infer`, { body: tinyInferBody() })).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const lines = gw.access.slice(from);
    const v1 = lines.filter((l) => l.versionId === 'v1' && l.status === 200).length;
    const v2 = lines.filter((l) => l.versionId === 'v2' && l.status === 200).length;
    expect(v1 + v2).toBe(2000);
    expect(Math.abs(v1 / 2000 - 0.9)).toBeLessThanOrEqual(0.03);
    // Each version's calls reached that version's own instance.
    expect(new Set(lines.filter((l) => l.versionId === 'v2').map((l) => l.instanceId))).toEqual(new Set(['v2-i0']));
  });

  it('loses no call when one of two instances is killed with SIGKILL under load', async () => {
    const a = await instance('tiny');
    const b = await instance('tiny');
    dir.set({ name: 'tiny', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url, b.url])] });
    let done = 0;
    let killedAt = -1;
    const killing = (async () => {
      while (done < 150) await new Promise((r) => setImmediate(r));
      killedAt = done;
      await a.kill();
    })();
    // The dead instance stays in the route the whole time (the worst case: the platform
    // has not noticed yet); every call must still answer 200.
    const statuses = await load(1200, 8, async () => {
      const r = await call(`${gw.url}/v2/models/tiny/infer`, { body: tinyInferBody() });
      done++;
      return r.status;
    });
    await killing;
    expect(killedAt).toBeGreaterThanOrEqual(150);
    expect(statuses.length).toBe(1200);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = gw.access.slice(-300);
    expect(after.every((l) => l.instanceId === 'v1-i1')).toBe(true);
  });

  it('classifies a cat photo through TI-ONE predict with auth on: 401 without a token, the answer with one', async () => {
    const db = await openDb('sqlite::memory:');
    await new ServicesRepo(db.kysely).create(
      { name: 'classify', description: '', tags: {}, billingMode: 'postpaid', auth: true },
      { modelName: 'm', modelVersion: 1, runtime: 'r', spec: {}, weight: 100, desiredInstances: 0 },
    );
    const tokens = new TokenService({ db: db.kysely });
    const sq = instances[instances.push(await startInstance(squeezenetPackage(), 'classify')) - 1]!;
    const authed = new MemoryDirectory();
    authed.tokens = tokens;
    const g = await startGateway(authed);
    gateways.push(g);
    authed.set({ name: 'classify', auth: true, stopped: false, versions: [version('v1', 1, 100, [sq.url])] });
    const body = JSON.stringify({ images: [base64Of('cat-kserve.jpg')] });
    const denied = await call(`${g.url}/classify/v1/models/m:predict`, { body });
    expect([denied.status, denied.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const t = await tokens.create('classify');
    const r = await call(`${g.url}/classify/v1/models/m:predict`, { body, headers: { authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(200);
    const top = r.json().predictions[0].index as number;
    expect(top).toBeGreaterThanOrEqual(281);
    expect(top).toBeLessThanOrEqual(285);
    await tokens.close();
    await db.close();
  });
});
