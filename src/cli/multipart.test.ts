import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filenameParam, multipartBody, type UploadFile } from './multipart.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

function files(spec: Record<string, Buffer>): UploadFile[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-mp-'));
  return Object.entries(spec).map(([name, data], i) => {
    const localPath = path.join(dir, `f${i}`);
    fs.writeFileSync(localPath, data);
    return { path: name, localPath, size: data.length };
  });
}

describe('filenameParam', () => {
  it('keeps plain ASCII names quoted and percent-encodes the rest as RFC 5987', () => {
    expect(filenameParam('code/util.py')).toBe('filename="code/util.py"');
    expect(filenameParam('数字.txt')).toBe(`filename*=UTF-8''${encodeURIComponent('数字.txt')}`);
    expect(filenameParam('a"b.txt')).toBe("filename*=UTF-8''a%22b.txt");
    expect(filenameParam("it's (1).txt")).toBe(`filename="it's (1).txt"`);
    expect(filenameParam("a;b it's (1).txt")).toBe("filename*=UTF-8''a%3Bb%20it%27s%20%281%29.txt");
  });
});

describe('multipartBody', () => {
  it('declares exactly the length it streams, fields first, and counts file bytes', async () => {
    const up = files({ 'model.pt': Buffer.alloc(3 * 1024 * 1024 + 5, 7), 'labels/数字.txt': Buffer.from('0\n1\n') });
    const mp = multipartBody([{ name: 'spec', value: '{"format":"custom"}' }], up);
    let counted = 0;
    const body = await collect(mp.stream((n) => (counted += n)));
    expect(body.length).toBe(mp.length);
    expect(counted).toBe(3 * 1024 * 1024 + 5 + 4);
    const boundary = /boundary=(.+)$/.exec(mp.contentType)![1]!;
    const text = body.toString('latin1');
    expect(text.indexOf('name="spec"')).toBeLessThan(text.indexOf('filename="model.pt"'));
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('fails when a file changes size while it is sent', async () => {
    const [f] = files({ 'w.bin': Buffer.alloc(10) });
    const mp = multipartBody([], [{ ...f!, size: 20 }]);
    await expect(collect(mp.stream())).rejects.toThrow(/changed size/);
  });
});
