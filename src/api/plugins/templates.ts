/**
 * /api/v1/templates: the inference code templates (推理代码模板) under templates/<kind>/<name>/,
 * listed and served as zips, like TI-ONE's "download inference code template". Whatever
 * folders exist there are listed; each may hold a template.json
 * (`{description, runtime, format}`), else these are inferred from its files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import yazl from 'yazl';
import { DomainError } from '../../contracts/errors.js';
import { RUNTIME_IDS } from '../../runtime-catalog/catalog.js';

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

export const TemplateSchema = Type.Object({
  name: Type.String({ description: '<kind>/<name>, e.g. pytorch/classify' }),
  description: Type.String(),
  runtime: Type.String({ description: 'runtime environment id to import it with' }),
  format: Type.String({ description: 'model format to import it with' }),
  files: Type.Array(Type.String(), { description: 'paths inside the template' }),
});
export type TemplateInfo = Static<typeof TemplateSchema>;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SKIP = new Set(['__pycache__', 'node_modules', '.DS_Store', 'template.json']);

function filesOf(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (ent.name.startsWith('.') || SKIP.has(ent.name)) continue;
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...filesOf(dir, r));
    else if (ent.isFile()) out.push(r);
  }
  return out;
}

function describe(dir: string, name: string, files: string[]): TemplateInfo {
  let meta: Partial<TemplateInfo> = {};
  const metaFile = path.join(dir, 'template.json');
  if (fs.existsSync(metaFile)) {
    try {
      meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Partial<TemplateInfo>;
    } catch {
      /* fall back to inference */
    }
  }
  const has = (f: string) => files.includes(f);
  const runtime = has('model_service.py') ? RUNTIME_IDS.torch : has('modeldock.json') ? RUNTIME_IDS.onnx : RUNTIME_IDS.node;
  const format = has('model_service.py') ? 'pytorch' : has('modeldock.json') ? 'onnx' : 'custom';
  let description = '';
  if (has('README.md')) {
    const heading = fs
      .readFileSync(path.join(dir, 'README.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('# '));
    description = heading ? heading.replace(/^#\s+/, '').replace(/^\S+\s+[—-]\s+/, '') : '';
  }
  return { name, description: meta.description ?? description, runtime: meta.runtime ?? runtime, format: meta.format ?? format, files };
}

/** Every template folder under root: templates/<kind>/<name>/. */
export function listTemplates(root: string): TemplateInfo[] {
  if (!fs.existsSync(root)) return [];
  const out: TemplateInfo[] = [];
  for (const kind of fs.readdirSync(root, { withFileTypes: true })) {
    if (!kind.isDirectory() || !SEGMENT.test(kind.name)) continue;
    for (const t of fs.readdirSync(path.join(root, kind.name), { withFileTypes: true })) {
      if (!t.isDirectory() || !SEGMENT.test(t.name)) continue;
      const dir = path.join(root, kind.name, t.name);
      out.push(describe(dir, `${kind.name}/${t.name}`, filesOf(dir)));
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function sendZip(reply: FastifyReply, root: string, templates: TemplateInfo[], filename: string): FastifyReply {
  const zip = new yazl.ZipFile();
  for (const t of templates) {
    for (const f of t.files) zip.addFile(path.join(root, t.name, f), `${t.name}/${f}`);
  }
  zip.end();
  return reply.type('application/zip').header('content-disposition', `attachment; filename="${filename}"`).send(zip.outputStream);
}

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

export function templatesPluginFor(root: string = DEFAULT_TEMPLATES_DIR): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/templates',
      { schema: { tags: ['templates'], summary: 'List inference code templates', response: { 200: Type.Object({ items: Type.Array(TemplateSchema) }) } } },
      async () => ({ items: listTemplates(root) }),
    );
    app.get(
      '/api/v1/templates/all.zip',
      { schema: { tags: ['templates'], summary: 'Download every template in one zip (folders <kind>/<name>/)', produces: ['application/zip'] } },
      async (_req, reply) => sendZip(reply, root, listTemplates(root), 'modeldock-templates.zip'),
    );
    app.get<{ Params: { kind: string; file: string } }>(
      '/api/v1/templates/:kind/:file',
      {
        schema: {
          tags: ['templates'],
          summary: 'Download one template as a zip: /api/v1/templates/{kind}/{name}.zip',
          params: Type.Object({ kind: Type.String(), file: Type.String({ description: '<name>.zip' }) }),
          produces: ['application/zip'],
          response: { 404: ErrorSchema },
        },
      },
      async (req, reply) => {
        const { kind, file } = req.params;
        const name = file.endsWith('.zip') ? file.slice(0, -4) : '';
        const t = SEGMENT.test(kind) && SEGMENT.test(name) ? listTemplates(root).find((x) => x.name === `${kind}/${name}`) : undefined;
        if (!t) throw new DomainError('TEMPLATE_NOT_FOUND', `no template "${kind}/${name || file}" (GET /api/v1/templates lists them)`);
        return sendZip(reply, root, [t], `${kind}-${name}.zip`);
      },
    );
  };
}

/** The templates API over the repository's templates/ folder. */
export const templatesPlugin: FastifyPluginAsync = templatesPluginFor();
