/**
 * The gRPC port through the real CLI: `modeldock up` says where gRPC listens and a client
 * built from the proto gets an answer there; `--grpc-port 0` turns it off; a gRPC port
 * already taken is ADDRESS_IN_USE naming it; `doctor` shows the port.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliJson, closedPort, tmpDir } from './cli-harness.js';
import { InferenceClient } from './support/grpc-client.js';
import { eventually } from './support/platform.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

/** `modeldock up --port 0 …`; resolves with its stderr once it says it is up. */
async function up(args: string[]): Promise<{ stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--data-dir', tmpDir('cli-grpc'), ...args], {
    env: { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  stops.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  await eventually(() => /is up at/.test(stderr), 60_000, 'modeldock up');
  return { stderr: () => stderr };
}

describe('modeldock up and doctor: the gRPC port', () => {
  it('up says where gRPC listens, and it answers there', async () => {
    const u = await up([]);
    const address = /\(gRPC at ([^;]+);/.exec(u.stderr())?.[1];
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const client = new InferenceClient(address!);
    try {
      expect((await client.call('ServerLive', {})).res).toEqual({ live: true });
      const none = await client.call('ModelInfer', { model_name: 'nothing-here' });
      expect([none.code, none.trailer('modeldock-error-code')]).toEqual([Status.NOT_FOUND, 'SERVICE_NOT_FOUND']);
    } finally {
      client.close();
    }
  });

  it('--grpc-port 0 turns it off', async () => {
    const u = await up(['--grpc-port', '0']);
    expect(u.stderr()).not.toMatch(/gRPC/);
  });

  it('a gRPC port already taken is ADDRESS_IN_USE naming it, with the way out', async () => {
    const u = await up(['--grpc-port', String(await closedPort())]);
    const taken = /\(gRPC at ([^;]+);/.exec(u.stderr())![1]!;
    const r = await cli(undefined, ['up', '--port', '0', '--grpc-port', taken.split(':')[1]!, '--data-dir', path.join(tmpDir('cli-grpc'), 'd')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ADDRESS_IN_USE: ${taken.replace(/\./g, '\\.')} \\(gRPC\\) is already in use.*--grpc-port 0`, 'm'));
  });

  it('doctor shows the effective gRPC port (8081 by default, the flag or MODELDOCK_GRPC_PORT otherwise)', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    expect((await cliJson<{ config: { grpcPort: number } }>(server, ['doctor'])).config.grpcPort).toBe(8081);
    expect((await cliJson<{ config: { grpcPort: number } }>(server, ['doctor', '--grpc-port', '9123'])).config.grpcPort).toBe(9123);
    const human = await cli(server, ['doctor'], { env: { MODELDOCK_GRPC_PORT: '0' } });
    expect(human.stdout).toMatch(/^ {2}grpcPort\s+0$/m);
  });
});
