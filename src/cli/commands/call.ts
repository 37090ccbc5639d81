/**
 * `modeldock call <service>`: one call through the gateway (the data plane), as a client
 * would make it. TI-ONE predict for --json / --image, OIP v2 infer for --oip.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { VERSION_HEADER } from '../../contracts/service-ops.js';
import { ApiClient } from '../client.js';
import { collect, CliError, globalOpts, printJson } from '../output.js';

interface CallOpts {
  /** the body given after --json (the global --json flag takes no value, so it arrives as an operand) */
  json?: string;
  image?: string[];
  oip?: string;
  version?: string;
  serviceToken?: string;
}

export function register(program: Command): void {
  program
    .command('call <service> [body]')
    .description(
      'call a service through the gateway: --json BODY (TI-ONE predict, e.g. \'{"images":["https://…/cat.jpg"]}\') | --image FILE (repeatable) | --oip FILE; the service token is --token or MODELDOCK_SERVICE_TOKEN',
    )
    .option('--image <file>', 'send {"images":[<base64 of the file>]} (repeatable)', collect)
    .option('--oip <file>', 'an Open Inference Protocol v2 infer request (JSON file, - for stdin)')
    .option('--version <n>', 'call this service version only (1, 2, …), whatever the weights: in the path with --oip, else as the x-modeldock-version header')
    .option('--service-token <token>', 'the service token (same as --token)')
    .action(async (service: string, operand: string | undefined, o: CallOpts, cmd: Command) => {
      const g = globalOpts(cmd);
      if (operand !== undefined) o.json = operand;
      const token = o.serviceToken ?? (tokenFromCli(cmd) ? g.token : undefined) ?? process.env.MODELDOCK_SERVICE_TOKEN;
      const { path, body } = await request(service, o);
      const api = new ApiClient({ server: g.server, token });
      const t0 = performance.now();
      const headers = o.version !== undefined && o.oip === undefined ? { [VERSION_HEADER]: o.version } : undefined;
      const answer = await api.json<unknown>('POST', path, { json: body, headers });
      if (!g.json) process.stderr.write(`${service}: answered in ${(performance.now() - t0).toFixed(1)} ms\n`);
      printJson(answer);
    });
}

/** The global --token is the admin token; on `call` a token given on the command line is the service token. */
function tokenFromCli(cmd: Command): boolean {
  let c: Command | null = cmd;
  while (c) {
    if (c.getOptionValueSource('token') === 'cli') return true;
    c = c.parent;
  }
  return false;
}

async function request(service: string, o: CallOpts): Promise<{ path: string; body: unknown }> {
  const given = [o.json !== undefined, !!o.image?.length, o.oip !== undefined].filter(Boolean).length;
  if (given !== 1) throw new CliError('give exactly one of --json BODY, --image FILE or --oip FILE');
  const svc = encodeURIComponent(service);
  if (o.version !== undefined && !/^[1-9]\d*$/.test(o.version)) throw new CliError(`--version wants a version number (1, 2, …), got "${o.version}"`);
  if (o.json !== undefined) return { path: `/${svc}/v1/models/m:predict`, body: parseJson(o.json, '--json') };
  if (o.image?.length) {
    const images = await Promise.all(
      o.image.map(async (f) => {
        const bytes = await fs.readFile(f).catch(() => {
          throw new CliError(`${f}: cannot read the image file`);
        });
        return bytes.toString('base64');
      }),
    );
    return { path: `/${svc}/v1/models/m:predict`, body: { images } };
  }
  const text =
    o.oip === '-'
      ? await readStdin()
      : await fs.readFile(o.oip!, 'utf8').catch(() => {
          throw new CliError(`${o.oip}: cannot read the OIP request file`);
        });
  const body = parseJson(text, o.oip!);
  const path = o.version ? `/v2/models/${svc}/versions/${o.version}/infer` : `/v2/models/${svc}/infer`;
  return { path, body };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
