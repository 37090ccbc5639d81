/**
 * The `modeldock` command. Each command group lives in src/cli/commands/<group>.ts and
 * exports `register(program)`; src/cli/program.ts builds the tree. Commands other than `up`, `instance` and `doctor` talk to
 * the REST API only (src/cli/client.ts).
 */
import { buildProgram } from './program.js';
import { runMain } from './output.js';

const program = buildProgram();

// `modeldock … | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

await runMain(() => program.parseAsync(process.argv));
