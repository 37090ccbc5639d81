/** `modeldock completion bash|zsh`: the shell completion script, from the program tree. */
import { Argument, type Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.js';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(modeldock completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
