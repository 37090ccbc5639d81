/** `modeldock up` on a data dir as a child process of the soak; stopped with SIGTERM at the end. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface Up {
  url: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** A port nobody listens on now (the platform logs its address only at level info). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export async function startUp(dataDir: string, root = path.resolve(new URL('../../../..', import.meta.url).pathname)): Promise<Up> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(root, 'bin/modeldock.js'), 'up', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (const end = Date.now() + 60_000; ;) {
    if (exited) throw new Error(`modeldock up exited: ${out}`);
    if (Date.now() > end) throw new Error(`modeldock up did not answer /healthz within 60 s: ${out}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.on('exit', (c, s) => {
    if (!stopping) console.error(`soak: modeldock up exited (${c ?? s}) during the soak: ${out.slice(-4000)}`);
  });
  let stopping = false;
  return {
    url,
    pid: child.pid!,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
