/**
 * The functions with the most self time in a V8 CPU profile (.cpuprofile), and the share
 * of each file: `node test-artifacts/bench-build/bench/prof-top.js <file> [n]`.
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
}

const [file, n = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: prof-top <file.cpuprofile> [n]');
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const counts = new Map<number, number>();
for (const s of prof.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = prof.samples.length;
const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
for (const [id, c] of counts) {
  const f = byId.get(id)!.callFrame;
  const where =
    f.url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, '~/')
      .replace(/.*\/(dist|src)\//, '$1/') || '(native)';
  const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + c);
  fileSelf.set(where, (fileSelf.get(where) ?? 0) + c);
}
const top = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .map(([k, c]) => `${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(`${total} samples\n\nself time by function:\n${top(fnSelf)}\n\nself time by file:\n${top(fileSelf)}\n`);
