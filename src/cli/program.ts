/**
 * The `modeldock` program tree: global options, every command group (src/cli/commands),
 * `-o` on the read commands, usage errors exiting 2, and the output format fixed once the
 * command to run is known.
 */
import { Command, Option } from 'commander';
import { registerAll } from './commands/index.js';
import { addOutputOptions, outputFormatOf, setOutputFormat } from './output-format.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('modeldock')
    .description('Self-hosted model repository and online inference platform')
    .addOption(new Option('--server <url>', 'platform URL').env('MODELDOCK_SERVER').default('http://127.0.0.1:8080'))
    // from the environment without a default, so that --help never prints the token
    .addOption(new Option('--token <token>', 'admin token, sent as Authorization: Bearer').env('MODELDOCK_ADMIN_TOKEN'))
    .option('--json', 'machine-readable JSON output (the same as -o json)', false)
    .showHelpAfterError()
    // commands created below inherit it: a usage error throws a CommanderError (exit 2, see runMain)
    .exitOverride()
    .hook('preAction', (_program, action) => setOutputFormat(outputFormatOf(action)));
  registerAll(program);
  addOutputOptions(program);
  return program;
}
