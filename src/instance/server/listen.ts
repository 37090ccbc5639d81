/** Putting the instance's HTTP servers on a TCP port and, optionally, on a Unix socket. */
import fs from 'node:fs';
import type http from 'node:http';

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Serves on a Unix socket only this user may connect to (0600). A socket file left by an
 * earlier run of the same instance (killed before it could remove it) is replaced; Node
 * removes the file when the server closes.
 */
export async function listenSocket(server: http.Server, socketPath: string): Promise<http.Server> {
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socketPath, readableAll: false, writableAll: false }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return server;
}
