/**
 * The `modeldock` command. Each command group lives in src/cli/commands/<group>.ts and
 * exports `register(program)`. Commands other than `up`, `instance` and `doctor` talk to
 * the REST API only (src/cli/client.ts).
 */
import { Command, Option } from 'commander';
import { registerAll } from './commands/index.js';
import { runMain } from './output.js';

const program = new Command();
program
  .name('modeldock')
  .description('Self-hosted model repository and online inference platform')
  .addOption(new Option('--server <url>', 'platform URL').env('MODELDOCK_SERVER').default('http://127.0.0.1:8080'))
  // from the environment without a default, so that --help never prints the token
  .addOption(new Option('--token <token>', 'admin token, sent as Authorization: Bearer').env('MODELDOCK_ADMIN_TOKEN'))
  .option('--json', 'machine-readable JSON output', false)
  .showHelpAfterError();

// `modeldock … | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

registerAll(program);
await runMain(() => program.parseAsync(process.argv));
