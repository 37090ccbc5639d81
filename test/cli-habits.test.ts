/**
 * CLI habits through the real binary against a running platform: -o json|yaml|wide, an
 * exit status per kind of failure, shell completion sourced into a real bash, and colours
 * only on a terminal (a real one, made by script(1)) unless NO_COLOR / FORCE_COLOR say.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, closedPort, startPlatform, tmpDir, writeTree, type RunningPlatform } from './cli-harness.js';

const TOKEN = 'habits-admin-token';
// colours are decided by the environment: start every call from none of it
const plain = { MODELDOCK_ADMIN_TOKEN: TOKEN, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm' };
const ESC = '\x1b[';

let platform: RunningPlatform;
const work = tmpDir('cli-habits');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => cli(platform.url, args, { env: { ...plain, ...env } });

beforeAll(async () => {
  platform = await startPlatform({ MODELDOCK_ADMIN_TOKEN: TOKEN });
  writeTree(path.join(work, 'handler'), { 'model_service.js': 'export default class M { predict(b) { return b; } }' });
  const imp = await run(['models', 'import', 'habits', '--dir', path.join(work, 'handler'), '--format', 'custom', '--runtime', 'node20-handler']);
  expect([imp.code, imp.stderr]).toEqual([0, expect.any(String)]);
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

describe('-o json|yaml|wide', () => {
  it('prints the same data as JSON (as --json does) and as YAML; an explicit -o wins over --json', async () => {
    const json = await run(['models', 'list', '-o', 'json']);
    const legacy = await run(['--json', 'models', 'list']);
    const yaml = await run(['models', 'list', '--json', '-o', 'yaml']);
    expect([json.code, legacy.code, yaml.code]).toEqual([0, 0, 0]);
    const data = JSON.parse(json.stdout);
    expect(data.items.map((m: { name: string }) => m.name)).toEqual(['habits']);
    expect(JSON.parse(legacy.stdout)).toEqual(data);
    expect(() => JSON.parse(yaml.stdout)).toThrow();
    expect(parseYaml(yaml.stdout)).toEqual(data);
    const show = await run(['models', 'show', 'habits', '-o', 'yaml']);
    expect(parseYaml(show.stdout)).toMatchObject({ name: 'habits', versions: [{ version: 'v1', status: 'ready' }] });
  });

  it('wide shows more columns than the table', async () => {
    const header = (r: { stdout: string }) => r.stdout.split('\n')[0]!.split(/\s{2,}/);
    expect(header(await run(['models', 'list']))).toEqual(['NAME', 'LATEST', 'VERSIONS', 'TAGS', 'UPDATED', 'DESCRIPTION']);
    expect(header(await run(['models', 'list', '-o', 'wide']))).toEqual(['NAME', 'LATEST', 'VERSIONS', 'TAGS', 'UPDATED', 'CREATED', 'DESCRIPTION']);
    const versions = (await run(['models', 'show', 'habits', '-o', 'wide'])).stdout.split('\n').find((l) => l.startsWith('VERSION'));
    expect(versions).toMatch(/CREATED\s+READY AT\s+STORAGE PATH\s+DESCRIPTION$/);
  });

  it('refuses a format it does not know as a usage error', async () => {
    const r = await run(['models', 'list', '-o', 'xml']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/argument 'xml' is invalid\. Allowed choices are json, yaml, wide/);
  });
});

describe('an exit status per kind of failure', () => {
  it('0 ok, 2 usage, 3 not found, 4 conflict, 5 auth, 6 unavailable', async () => {
    const got = {
      ok: (await run(['models', 'show', 'habits'])).code,
      unknownFlag: (await run(['models', 'list', '--bogus'])).code,
      badName: (await run(['models', 'create', 'bad name!'])).code,
      notFound: (await run(['models', 'show', 'no_such_model'])).code,
      objectNotFound: (await run(['storage', 'get', 'nothing/here', '--out', path.join(work, 'x')])).code,
      exists: (await run(['models', 'create', 'habits'])).code,
      wrongToken: (await run(['models', 'list'], { MODELDOCK_ADMIN_TOKEN: 'wrong' })).code,
      unreachable: (await cli(`http://127.0.0.1:${await closedPort()}`, ['models', 'list'], { env: plain })).code,
    };
    expect(got).toEqual({ ok: 0, unknownFlag: 2, badName: 2, notFound: 3, objectNotFound: 3, exists: 4, wrongToken: 5, unreachable: 6 });
  });
});

describe('modeldock completion', () => {
  it('prints a bash script that completes partial words when sourced', async () => {
    const r = await run(['completion', 'bash']);
    expect(r.code).toBe(0);
    const file = path.join(work, 'modeldock.bash');
    fs.writeFileSync(file, r.stdout);
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _modeldock; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p modeldock`,
          'bash',
          file,
        ],
        { encoding: 'utf8' },
      );
    expect(complete('modeldock models sh').split('\n')).toEqual(['show', 'complete -F _modeldock modeldock', '']);
    expect(complete("modeldock services list -o ''").split('\n').slice(0, 3).sort()).toEqual(['json', 'wide', 'yaml']);
    expect((await run(['completion', 'fish'])).code).toBe(2);
  });
});

describe('colours', () => {
  const hasScript = fs.existsSync('/usr/bin/script');
  /** Runs the CLI on a real terminal (script(1) gives it a pty) and answers what it wrote there. */
  const onTerminal = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const line = [process.execPath, BIN, '--server', platform.url, ...args].map((a) => `'${a}'`).join(' ');
    const base: NodeJS.ProcessEnv = { ...process.env, ...plain, ...env, NODE_NO_WARNINGS: '1' };
    for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
    return execFileSync('script', ['-qec', line, '/dev/null'], { encoding: 'utf8', env: base });
  };

  it.runIf(hasScript)('colours the states of a table on a real terminal, and not with NO_COLOR or TERM=dumb', () => {
    const table = onTerminal(['models', 'show', 'habits']);
    expect(table).toContain(`${ESC}32mready${ESC}39m`);
    expect(onTerminal(['models', 'show', 'habits'], { NO_COLOR: '1' })).not.toContain(ESC);
    expect(onTerminal(['models', 'show', 'habits'], { TERM: 'dumb' })).not.toContain(ESC);
  });

  it('stay off in a pipe, come on with FORCE_COLOR, and NO_COLOR wins over it', async () => {
    const piped = await run(['models', 'show', 'habits']);
    const missing = await run(['models', 'show', 'no_such_model']);
    expect([piped.stdout.includes(ESC), missing.stderr.includes(ESC)]).toEqual([false, false]);
    const forced = await run(['models', 'show', 'habits'], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(`${ESC}32mready${ESC}39m`);
    expect((await run(['models', 'show', 'no_such_model'], { FORCE_COLOR: '1' })).stderr).toMatch(/^\x1b\[31merror:\x1b\[39m MODEL_NOT_FOUND: /);
    expect((await run(['models', 'show', 'habits'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(ESC);
    // -o json never carries colour, even forced
    expect((await run(['models', 'show', 'habits', '-o', 'json'], { FORCE_COLOR: '1' })).stdout).not.toContain(ESC);
  });
});
