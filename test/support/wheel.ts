/**
 * A tiny pure-Python wheel written by hand (a zip with the package, METADATA, WHEEL and a
 * RECORD of sha256s), in a folder pip can be pointed at with PIP_FIND_LINKS: tests install
 * it offline, with PIP_NO_INDEX=1, so nothing ever reaches PyPI.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';

export async function writeWheel(dir: string, name: string, version: string, files: Record<string, string>): Promise<string> {
  const info = `${name}-${version}.dist-info`;
  const all: Record<string, string> = {
    ...files,
    [`${info}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${info}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: modeldock-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    [`${info}/top_level.txt`]: `${name}\n`,
  };
  const b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64url');
  const record = Object.entries(all).map(([p, c]) => `${p},sha256=${b64(Buffer.from(c))},${Buffer.byteLength(c)}`);
  all[`${info}/RECORD`] = [...record, `${info}/RECORD,,`].join('\n') + '\n';
  const zip = new yazl.ZipFile();
  for (const [p, c] of Object.entries(all)) zip.addBuffer(Buffer.from(c), p);
  zip.end();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${version}-py3-none-any.whl`);
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject));
  return file;
}
