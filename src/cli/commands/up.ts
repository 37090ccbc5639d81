/** `modeldock up`: starts the platform in this process (API, console, gateway, reconciler). */
import type { Command } from 'commander';
import { CliError } from '../output.js';
import { configFromFlags } from '../platform-config.js';

interface UpOpts {
  host?: string;
  port?: string;
  grpcPort?: string;
  dataDir?: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description('start the platform (127.0.0.1:8080 and ./.modeldock unless told otherwise; MODELDOCK_* variables apply)')
    .option('--host <host>', 'address to listen on (MODELDOCK_HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free one (MODELDOCK_PORT)')
    .option('--grpc-port <port>', 'port of the OIP v2 gRPC data plane (default 8081; any free one with --port 0), 0 turns it off (MODELDOCK_GRPC_PORT)')
    .option('--data-dir <dir>', 'where the database and blobs live (MODELDOCK_DATA_DIR)')
    .action(async (o: UpOpts) => {
      const config = await configFromFlags(o);
      // loaded here so that API commands do not pay for the server's modules
      const { startPlatform } = await import('../../platform.js');
      const platform = await startPlatform(config).catch((e: NodeJS.ErrnoException) => {
        const grpcAddress = (e as { grpcAddress?: string }).grpcAddress;
        if (e.code === 'EADDRINUSE' && grpcAddress !== undefined) {
          throw new CliError(
            `${grpcAddress} (gRPC) is already in use (is modeldock already running?): stop it, pick another --grpc-port, or turn gRPC off with --grpc-port 0`,
            'ADDRESS_IN_USE',
          );
        }
        if (e.code === 'EADDRINUSE')
          throw new CliError(
            `${config.host}:${config.port} is already in use (is modeldock already running?): stop it, or pick another --port`,
            'ADDRESS_IN_USE',
          );
        throw e;
      });
      const grpc = platform.grpcAddress ? `gRPC at ${platform.grpcAddress}; ` : '';
      process.stderr.write(`modeldock is up at ${platform.url} (${grpc}data in ${config.dataDir}); press Ctrl-C to stop\n`);
      await untilSignal(async (signal) => {
        process.stderr.write(`${signal}: stopping modeldock…\n`);
        await platform.close();
      });
    });
}

/** Resolves after the first SIGINT/SIGTERM has run `stop`; a second signal exits at once. */
function untilSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      // Not unref'd: while the platform closes, this timer keeps the process alive, so that
      // work inside close() that waits on unref'd timers still finishes (instead of Node
      // exiting with 13, "unsettled top-level await"); it also bounds a hung shutdown.
      const force = setTimeout(() => {
        process.stderr.write('shutdown took over 15 s: exiting\n');
        process.exit(1);
      }, 15_000);
      stop(signal)
        .then(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        }, reject)
        .finally(() => clearTimeout(force));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
