/**
 * `-o` on the commands that stream, through the real binary against a running platform:
 * json is NDJSON (one object per line, printed as it comes — a follow is read line by line
 * while it runs), yaml one document per item, wide a text line with more fields. Covers
 * services logs [-f], services events --watch, tasks logs and tasks create --follow.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, startPlatform, tmpDir, writeTree, type RunningPlatform } from './cli-harness.js';

let platform: RunningPlatform;
const work = tmpDir('cli-streams');
const run = (args: string[]) => cli(platform.url, args);

beforeAll(async () => {
  platform = await startPlatform();
  writeTree(path.join(work, 'handler'), { 'model_service.js': 'export default class M { predict(b) { return b; } }' });
  writeTree(path.join(work, 'task'), { README: 'prints two lines' });
  expect((await run(['models', 'import', 'echo', '--dir', path.join(work, 'handler'), '--format', 'custom', '--runtime', 'node20-handler'])).code).toBe(0);
  const created = await run(['services', 'create', 'echo', '--model', 'echo', '--model-version', 'v1', '--memory', '256']);
  expect([created.code, created.stderr]).toEqual([0, expect.stringContaining('Running')]);
  expect((await run(['call', 'echo', '--json', '{"hello":1}'])).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await platform?.stop();
});

/** Runs a command that does not end by itself; resolves with the stdout lines once `enough` says so, then stops it. */
function readUntil(args: string[], enough: (lines: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--server', platform.url, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`modeldock ${args.join(' ')} printed only: ${out}${err}`)), timeoutMs);
    function finish(e?: Error) {
      clearTimeout(timer);
      child.kill('SIGTERM');
      if (e) reject(e);
      else resolve(out.split('\n').filter(Boolean));
    }
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (enough(out.split('\n').slice(0, -1).filter(Boolean))) finish();
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => code !== null && code !== 0 && finish(new Error(`exited ${code}: ${err}`)));
  });
}

const docs = (yaml: string) => parseAllDocuments(yaml).map((d) => (d as { toJS(): unknown }).toJS() as Record<string, unknown>);

describe('-o on streams', () => {
  it('services logs: json is one log object per line, yaml one document each, wide adds the sequence number', async () => {
    const json = await run(['services', 'logs', 'echo', '-o', 'json']);
    expect(json.code).toBe(0);
    const lines = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; stream: string; line: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.stream === 'access')).toBe(true);
    const yaml = await run(['services', 'logs', 'echo', '-o', 'yaml']);
    expect(docs(yaml.stdout)).toEqual(lines);
    const wide = (await run(['services', 'logs', 'echo', '-o', 'wide'])).stdout.trimEnd().split('\n');
    const table = (await run(['services', 'logs', 'echo'])).stdout.trimEnd().split('\n');
    expect(wide[0]).toBe(`${lines[0]!.seq} ${table[0]!.split(' ')[0]} v1 ${table[0]!.split(' ').slice(1).join(' ')}`);
  });

  it('services logs -f -o json prints each line as it comes, NDJSON', async () => {
    const lines = await readUntil(['services', 'logs', 'echo', '-f', '-o', 'json'], (l) => l.length >= 1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'echo', seq: expect.any(Number) });
  });

  it('services events --watch -o json prints the events as objects, one a line, and keeps running', async () => {
    const lines = await readUntil(['services', 'events', 'echo', '--watch', '-o', 'json'], (l) => l.length >= 1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: expect.stringMatching(/Normal|Warning/), reason: expect.any(String), count: expect.any(Number) });
    const text = await readUntil(['services', 'events', 'echo', '-w'], (l) => l.length >= 1);
    expect(text[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ (Normal|Warning) \S+ /);
  });

  it("tasks create --follow --json and tasks logs -o yaml|wide: the run's lines per format", async () => {
    const created = await run([
      '--json',
      'tasks',
      'create',
      'hello',
      '--dir',
      path.join(work, 'task'),
      '--runtime',
      'node20-handler',
      '--command',
      'echo one && echo two',
      '--follow',
    ]);
    expect(created.code).toBe(0);
    const lines = created.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream: string; line: string; run: number });
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['one', 'two']);
    expect(created.stderr).toMatch(/task hello run 1: Succeeded/);
    const yaml = await run(['tasks', 'logs', 'hello', '-o', 'yaml']);
    expect(
      docs(yaml.stdout)
        .filter((d) => d.stream === 'stdout')
        .map((d) => d.line),
    ).toEqual(['one', 'two']);
    const wide = (await run(['tasks', 'logs', 'hello', '-o', 'wide'])).stdout;
    expect(wide).toMatch(/^\d+ \S+ run 1 stdout: one$/m);
    expect((await run(['tasks', 'logs', 'hello'])).stdout).toMatch(/^one\ntwo$/m);
  });
});
