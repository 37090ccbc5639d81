import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bashCompletion, zshCompletion } from './completion.js';
import { buildProgram } from './program.js';

const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-completion-')), 'modeldock.bash');
fs.writeFileSync(script, bashCompletion(buildProgram()));

/** What bash offers for the words typed so far (the last one is the partial word), with the script sourced. */
function complete(...words: string[]): string[] {
  const line = ['modeldock', ...words];
  const program = `source "$1"; COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _modeldock; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program, 'bash', script], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('shell completion from the program tree', () => {
  it('completes commands, subcommands and aliases from a partial word', () => {
    expect(complete('mo')).toEqual(['models']);
    expect(complete('s')).toEqual(['services', 'storage']);
    expect(complete('models', 'l')).toEqual(['list', 'ls']);
    expect(complete('models', 'files', '')).toEqual(expect.arrayContaining(['delete', 'download', 'list', 'ls', 'rm', 'upload']));
    expect(complete('services', 'tokens', 'r')).toEqual(['rm', 'rotate']);
  });

  it("completes a command's own options and the global ones, after an alias and other flags too", () => {
    expect(complete('models', 'ls', '--k')).toEqual(['--keyword']);
    expect(complete('models', 'ls', '--json', '--s')).toEqual(['--server', '--source']);
    expect(complete('--server', 'http://x', 'storage', 'ls', '-')).toEqual(expect.arrayContaining(['-o', '--output', '--json', '--help']));
  });

  it('offers the values of an option with choices', () => {
    expect(complete('models', 'list', '-o', '')).toEqual(['json', 'wide', 'yaml']);
    expect(complete('tasks', 'show', '--output', 'y')).toEqual(['yaml']);
    expect(complete('completion', '')).toEqual(expect.arrayContaining(['--help']));
  });

  it('gives zsh the same function through bashcompinit', () => {
    const zsh = zshCompletion(buildProgram());
    expect(zsh.startsWith('#compdef modeldock\n')).toBe(true);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -F _modeldock modeldock');
  });
});
