/** `modeldock demo` runs both journeys on a fresh platform and prints each step and the answers. */
import { describe, expect, it } from 'vitest';
import { cli } from './cli-harness.js';

describe('modeldock demo', () => {
  it('trains, imports, deploys and calls the digit model, then the third-party classifier', async () => {
    const r = await cli(undefined, ['demo']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = r.stdout;
    for (const s of ['1.1', '1.2', '1.3', '1.4', '1.5', '2.1', '2.2', '2.3', '2.4']) expect(out).toContain(`▶ ${s} `);
    expect(out).toMatch(/epoch 1\/\d+: loss/);
    expect(out).toMatch(/mnist-pytorch-infer: Running/);
    expect(out).toMatch(/by URL: +\{"digit":7,/);
    expect(out).toMatch(/by base64: +\{"digit":7,/);
    expect(out).toMatch(/cat-jetson\.jpg +→ Persian cat/);
    expect(out).toMatch(/butterfly-monarch-in-may\.jpg +→ monarch/);
    expect(out).toMatch(/dog-winml\.jpg +→ golden retriever/);
    expect(out).toContain('✔ done.');
  }, 300_000);

  it("stops before it starts anything when journey 2's files are not where --fixtures points", async () => {
    const r = await cli(undefined, ['demo', '--fixtures', '/nonexistent/fixtures']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "the demo's fixtures are missing from /nonexistent/fixtures: pytorch-classify/mobilenet_quantized.pt, imagenet_synset.txt, cat-jetson.jpg",
    );
    expect(r.stdout).not.toContain('platform at');
  });
});
