/**
 * `modeldock instance`: the process that serves one model version (src/instance). The
 * platform's local backend starts it; it also runs on its own (e.g. in a container).
 * Bad arguments exit 2; a model that fails to load exits 3.
 */
import { Command, CommanderError } from 'commander';

export function register(program: Command): void {
  program
    .command('instance')
    .description('serve one model package over OIP v2 and TI-ONE predict (prints {"event":"ready",…} when ready)')
    .requiredOption('--model-dir <dir>', 'the model package folder')
    .requiredOption('--runtime <id>', 'runtime environment id (modeldock runtimes)')
    .requiredOption('--port <port>', 'port to listen on; 0 picks a free one')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--model-name <name>', 'the name the model is served under (/v2/models/{name})', 'm')
    .option('--max-batch-size <n>', 'dynamic batching: most rows per batch')
    .option('--max-queue-delay-ms <ms>', 'dynamic batching: how long a queued request may wait for a fuller batch', '0')
    .option('--max-queue <n>', 'requests that may wait; beyond it QUEUE_FULL (503)', '1024')
    .option('--threads <n>', 'intra-op threads for the runtime', '1')
    .option('--request-timeout-ms <ms>', 'per-request deadline (504 DEADLINE_EXCEEDED)', '60000')
    .option('--allow-private-image-urls', 'let image URLs reach private and loopback addresses (also MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS=1)')
    .exitOverride((err: CommanderError) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') process.exit(0);
      process.exit(2);
    })
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const { instanceOptions, InstanceArgError } = await import('../../instance/instance-config.js');
      let opts;
      try {
        opts = instanceOptions(flags);
      } catch (e) {
        if (!(e instanceof InstanceArgError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exit(2);
      }
      const { runInstance } = await import('../../instance/instance-main.js');
      await runInstance(opts);
    });
}
