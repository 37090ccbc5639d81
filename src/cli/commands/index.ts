import type { Command } from 'commander';

/** Each command group registers itself here. */
export function registerAll(program: Command): void {
  void program;
}
