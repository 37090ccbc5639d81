/**
 * `modeldock demo`: both journeys of DESIGN.md §1 on a fresh data dir, step by step, for
 * a newcomer to see the product work in one go. It starts its own platform (in this
 * process, on a free port), serves the photos it sends from a loopback http server, and
 * stops everything at the end unless --keep.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ApiClient } from '../client.js';
import { journeyThirdParty, journeyTrained, type DemoContext } from '../demo-journeys.js';
import { CliError } from '../output.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface DemoOpts {
  dataDir?: string;
  port: string;
  fixtures?: string;
  keep?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run both journeys (a model trained here; a third-party classifier) on a fresh platform and print every step')
    .option('--data-dir <dir>', 'data dir for the demo platform (default: a new temp dir)')
    .option('--port <port>', 'port for the demo platform (0: any free one)', '0')
    .option(
      '--fixtures <dir>',
      'weights and photos for journey 2 (see examples/fixtures/PROVENANCE.md)',
      process.env.MODELDOCK_FIXTURES ?? path.join(REPO, 'examples', 'fixtures'),
    )
    .option('--keep', 'leave the platform running afterwards (Ctrl-C stops it)')
    .action(async (o: DemoOpts) => {
      const fixtures = checkFixtures(o.fixtures ?? path.join(REPO, 'examples', 'fixtures'));
      const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-demo-'));
      if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length) throw new CliError(`${dataDir} is not empty: the demo wants a fresh data dir`);
      const { loadConfig } = await import('../../config.js');
      const { startPlatform } = await import('../../platform.js');
      const { createLogger } = await import('../../log.js');
      const config = loadConfig({ flags: { host: '127.0.0.1', port: o.port, dataDir }, overrides: { logLevel: 'warn' } });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // the demo's photos come from loopback, which instances refuse unless told otherwise
      const platform = await startPlatform(config, { logger: createLogger('warn'), instanceEnv: { MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1' } });
      const photos = await servePhotos(fixtures);
      say(`modeldock demo: platform at ${platform.url}, data in ${dataDir}`);
      const ctx: DemoContext = { api: new ApiClient({ server: platform.url }), photosUrl: photos.url, templatesDir: path.join(REPO, 'templates'), say };
      try {
        await journeyTrained(ctx, await digitPhoto(photos));
        await journeyThirdParty(ctx, fixtures, dataDir);
        say(
          `\n✔ done. ${o.keep ? `The platform stays up at ${platform.url} — try: modeldock --server ${platform.url} services list   (Ctrl-C stops it)` : 'Stopping the demo platform.'}`,
        );
        if (o.keep) await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      } finally {
        photos.server.close();
        await platform.close();
        if (!o.dataDir && !o.keep) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
}

interface Photos {
  server: http.Server;
  url: string;
  files: Map<string, Buffer>;
}

const PHOTOS = ['cat-jetson.jpg', 'butterfly-monarch-in-may.jpg', 'dog-winml.jpg'];
const NEEDED = ['pytorch-classify/mobilenet_quantized.pt', 'imagenet_synset.txt', ...PHOTOS];

/** Journey 2 needs these files; without them the demo stops before it starts a platform. */
function checkFixtures(dir: string): string {
  const missing = NEEDED.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length)
    throw new CliError(
      `the demo's fixtures are missing from ${dir}: ${missing.join(', ')} (a clone has them in examples/fixtures/; --fixtures <dir> points elsewhere)`,
    );
  return dir;
}

async function servePhotos(fixtures: string): Promise<Photos> {
  const files = new Map<string, Buffer>();
  for (const name of PHOTOS) files.set(name, fs.readFileSync(path.join(fixtures, name)));
  const server = http.createServer((req, res) => {
    const body = files.get(path.basename(req.url ?? ''));
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, files };
}

/** A held-out digit (never trained on), inverted to dark ink on light paper and scaled up like a photo. */
async function digitPhoto(photos: Photos): Promise<{ file: string; label: number; base64: string }> {
  const { mnistSplit } = await import('../../tasks/datasets/mnist.js');
  const { default: sharp } = await import('sharp');
  const { heldout } = mnistSplit();
  const i = heldout.labels.indexOf(7);
  const ink = Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784)).map((v) => 255 - v);
  const jpeg = await sharp(Buffer.from(ink), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(240, 240, { kernel: 'cubic' })
    .jpeg({ quality: 90 })
    .toBuffer();
  photos.files.set('seven.jpg', jpeg);
  return { file: 'seven.jpg', label: 7, base64: jpeg.toString('base64') };
}
