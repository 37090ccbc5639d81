/**
 * The Runtime contract suite (STYLE.md §2): every runtime (onnx, image handler, Node
 * handler, Python) runs it from its own test file:
 *
 *   runtimeContract({ name: 'onnx', create: () => new OnnxRuntime(), modelDir: () => dir, bodies: [...], badBody: {...} });
 *
 * It checks: load on the given package; metadata is null or OIP-shaped; maxBatchSize is a
 * positive integer; predict answers one result per body, in order, the same alone as
 * together; a bad body gives an Error for that body only; close; and that a load of an
 * empty folder fails with a reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIP_DATATYPES } from '../contracts/oip.js';
import type { LoadContext, Runtime } from './runtime.js';

export interface RuntimeContractCase {
  name: string;
  create: () => Runtime | Promise<Runtime>;
  /** the package folder to load */
  modelDir: () => string | Promise<string>;
  /** bodies that must each answer (not an Error); at least two, different answers preferred */
  bodies: unknown[];
  /** a body that must answer an Error (bad input) without failing the others */
  badBody: unknown;
  /** extra checks of one good answer */
  check?: (body: unknown, result: unknown) => void;
  /** whether the runtime runs OIP tensors itself (`infer`); the others answer v2 through the data plane's adapter */
  tensors?: boolean;
  env?: Record<string, string>;
  maxBatchSize?: number;
  /** load may take long (e.g. starting Python workers) */
  loadTimeoutMs?: number;
}

const noLog: LoadContext['log'] = () => undefined;

export function runtimeContract(c: RuntimeContractCase): void {
  describe(`Runtime contract: ${c.name}`, () => {
    let rt: Runtime;
    let dir: string;
    const ctx = (modelDir: string): LoadContext => ({
      modelDir,
      modelName: 'contract',
      env: { ...(process.env as Record<string, string>), ...c.env },
      threads: 1,
      maxBatchSize: c.maxBatchSize ?? 1,
      log: noLog,
    });

    beforeAll(async () => {
      dir = await c.modelDir();
      rt = await c.create();
      await rt.load(ctx(dir));
    }, c.loadTimeoutMs ?? 120_000);

    afterAll(async () => {
      await rt?.close();
    });

    it('has an id and a positive integer maxBatchSize', () => {
      expect(typeof rt.id).toBe('string');
      expect(rt.id.length).toBeGreaterThan(0);
      expect(Number.isInteger(rt.maxBatchSize())).toBe(true);
      expect(rt.maxBatchSize()).toBeGreaterThanOrEqual(1);
    });

    it('describes its tensors in OIP shape, or none', () => {
      const m = rt.metadata();
      if (c.tensors === false) expect(rt.infer).toBeUndefined();
      if (c.tensors === true) expect([m !== null, typeof rt.infer]).toEqual([true, 'function']);
      if (!m) return;
      expect(typeof m.platform).toBe('string');
      for (const t of [...m.inputs, ...m.outputs]) {
        expect(typeof t.name).toBe('string');
        expect(OIP_DATATYPES).toContain(t.datatype);
        expect(t.shape.every((d) => Number.isInteger(d) && d >= -1)).toBe(true);
      }
      if (!rt.infer) return; // a code package's signature is what it declares, possibly nothing
      expect(m.inputs.length).toBeGreaterThan(0);
      expect(m.outputs.length).toBeGreaterThan(0);
    });

    it('answers each body, in order, the same alone as together', async () => {
      expect(c.bodies.length).toBeGreaterThanOrEqual(2);
      const alone = [];
      for (const b of c.bodies) {
        const [r] = await rt.predict([b]);
        expect(r).not.toBeInstanceOf(Error);
        c.check?.(b, r);
        alone.push(r);
      }
      const together = await rt.predict(c.bodies);
      expect(together).toHaveLength(c.bodies.length);
      expect(together).toEqual(alone);
    });

    it('fails a bad body alone, with an Error', async () => {
      const [first, ...rest] = c.bodies;
      const out = await rt.predict([first, c.badBody, ...rest]);
      expect(out).toHaveLength(c.bodies.length + 1);
      expect(out[1]).toBeInstanceOf(Error);
      expect((out[1] as Error).message.length).toBeGreaterThan(0);
      const good = await rt.predict(c.bodies);
      expect([out[0], ...out.slice(2)]).toEqual(good);
    });

    it(
      'refuses to load an empty package with a reason',
      async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-empty-'));
        const other = await c.create();
        const err = await other.load(ctx(empty)).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        await other.close().catch(() => undefined);
        fs.rmSync(empty, { recursive: true, force: true });
        expect(err).toBeInstanceOf(Error);
        expect(err!.message.length).toBeGreaterThan(0);
      },
      c.loadTimeoutMs ?? 120_000,
    );
  });
}
