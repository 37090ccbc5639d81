/**
 * The web console (console/, built by Vite into dist/console/): index.html at `/` and at
 * the console's client routes, hashed assets under `/assets/`. Never answers for `/api`,
 * `/v2` or a service's data-plane paths: those keep their JSON errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../contracts/errors.js';

/** dist/console next to the compiled dist/api/plugins/, or from the sources under src/. */
export function defaultConsoleDir(): string {
  const candidates = ['../../console/', '../../../dist/console/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((d) => fs.existsSync(path.join(d, 'index.html'))) ?? candidates[0]!;
}

/** The console's client routes (the SPA answers them with index.html). */
export const CONSOLE_SECTIONS = ['models', 'services', 'tasks', 'batch-jobs', 'resource-groups'] as const;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>modeldock</title><p>The web console is not built. Run <code>npm run build</code>.</p>';

export function consolePluginFor(dir: string = defaultConsoleDir()): FastifyPluginAsync {
  const root = path.resolve(dir);
  const assets = path.join(root, 'assets');
  return async (app) => {
    const index = async (_req: FastifyRequest, reply: FastifyReply) => {
      const file = path.join(root, 'index.html');
      secure(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
      if (!fs.existsSync(file)) return reply.code(503).send(NOT_BUILT);
      return reply.send(await fs.promises.readFile(file));
    };
    const clientRoute = async (req: FastifyRequest, reply: FastifyReply) => {
      // a service's data-plane path (/{service}/v1/models/…) is never a console page
      if (/^\/[^/]+\/v1\//.test(req.url)) return reply.callNotFound();
      return index(req, reply);
    };

    app.get('/', { schema: { hide: true } }, index);
    for (const s of CONSOLE_SECTIONS) {
      app.get(`/${s}`, { schema: { hide: true } }, clientRoute);
      app.get(`/${s}/*`, { schema: { hide: true } }, clientRoute);
    }
    app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
      const rel = (req.params as { '*': string })['*'];
      const file = path.resolve(assets, rel);
      const stat = rel && !rel.includes('\0') && file.startsWith(assets + path.sep) ? await fs.promises.stat(file).catch(() => undefined) : undefined;
      if (!stat?.isFile()) throw new DomainError('ROUTE_NOT_FOUND', `no console asset "${rel.slice(0, 200)}"`);
      secure(reply)
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('content-length', String(stat.size))
        // Vite names assets by content hash
        .header('cache-control', 'public, max-age=31536000, immutable');
      return reply.send(fs.createReadStream(file));
    });
  };
}

export const consolePlugin: FastifyPluginAsync = consolePluginFor();
