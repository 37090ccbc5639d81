/**
 * `modeldock models import <name>`: a new version from a local folder or zip (streamed
 * upload), from object storage, or from a training task; then, unless --no-wait, waits
 * until the version is ready (exit 0) or failed (exit 1 with the reason).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import yauzl from 'yauzl';
import { isValidName, NAME_RULE } from '../../contracts/names.js';
import { MODEL_FORMATS, type ModelVersion } from '../../contracts/resources.js';
import type { ApiClient, UploadFile, VersionSpec } from '../client.js';
import { contextOf } from '../context.js';
import { inferPackage } from '../infer-format.js';
import { oneFile, walkDir } from '../local-files.js';
import { CliError, printJson } from '../output.js';
import { progress, statusLine } from '../progress.js';
import { printVersion } from './model-files.js';

interface ImportOpts {
  source?: string;
  dir?: string;
  zip?: string;
  path?: string;
  task?: string;
  run?: string;
  format?: string;
  runtime?: string;
  move?: string;
  metrics?: string;
  description?: string;
  wait: boolean;
  timeout: string;
}

export function registerImport(models: Command): void {
  models
    .command('import <name>')
    .description('import a new version (the model is created when it does not exist)')
    .option('--source <type>', 'upload (implied by --dir/--zip), storage or task')
    .option('--dir <folder>', 'upload this local folder')
    .option('--zip <file>', 'upload this zip (unpacked by the platform)')
    .option('--path <path>', 'storage source: a folder in the object store, or file:///abs under an allowed import root')
    .option('--task <name>', 'task source: the training task whose output to import')
    .option('--run <id>', 'task source: the run (default: the latest)')
    .option('--format <format>', `${MODEL_FORMATS.join(', ')} (inferred from the files when left out)`)
    .option('--runtime <id>', 'runtime environment id, see `modeldock runtimes` (inferred when left out)')
    .option('--move <mode>', 'storage or task source: copy (default) or move')
    .option('--metrics <text>', 'free text or JSON (≤ 1000 chars); @file reads a file')
    .option('-d, --description <text>', 'version description')
    .option('--no-wait', 'return at once while the version is importing')
    .option('--timeout <seconds>', 'how long to wait for ready', '3600')
    .action(async (name: string, o: ImportOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!isValidName(name)) throw new CliError(`model name "${name}" is invalid: ${NAME_RULE}`, 'INVALID_NAME');
      const source = sourceOf(o);
      const { spec, files } = await planImport(ctx.api, source, o);
      let version: ModelVersion;
      if (files) {
        const bar = progress(
          `uploading ${files.length} file(s)`,
          files.reduce((n, f) => n + f.size, 0),
        );
        try {
          version = await ctx.api.importUpload(name, spec, files, (n) => bar.add(n));
        } finally {
          bar.done();
        }
      } else version = await ctx.api.importVersion(name, spec);
      if (o.wait) version = await waitForImport(ctx.api, version, Number(o.timeout));
      if (ctx.json) printJson(version);
      else printVersion(version);
      if (version.status === 'failed') throw new CliError(`${name} ${version.version} failed: ${version.error ?? 'no reason given'}`, 'IMPORT_FAILED');
    });
}

type Source = 'upload' | 'storage' | 'task';

function sourceOf(o: ImportOpts): Source {
  const given = [o.dir && '--dir', o.zip && '--zip', o.path && '--path', o.task && '--task'].filter(Boolean);
  if (given.length > 1) throw new CliError(`give only one of ${given.join(', ')}`);
  const implied: Source | undefined = o.dir || o.zip ? 'upload' : o.path ? 'storage' : o.task ? 'task' : undefined;
  const source = (o.source ?? implied) as Source | undefined;
  if (!source) throw new CliError('say what to import: --dir <folder>, --zip <file>, --source storage --path <path>, or --source task --task <name>');
  if (!['upload', 'storage', 'task'].includes(source)) throw new CliError(`--source must be upload, storage or task, not "${source}"`);
  if (source === 'upload' && !o.dir && !o.zip) throw new CliError('--source upload needs --dir <folder> or --zip <file>');
  if (source === 'storage' && !o.path) throw new CliError('--source storage needs --path <storage path or file:///abs>');
  if (source === 'task' && !o.task) throw new CliError('--source task needs --task <name>');
  if (implied && implied !== source) throw new CliError(`--source ${source} does not go with ${given[0]}`);
  if (o.move && !['copy', 'move'].includes(o.move)) throw new CliError(`--move must be copy or move, not "${o.move}"`);
  if (o.move && source === 'upload') throw new CliError('--move applies to --source storage or task only');
  if (o.format && !(MODEL_FORMATS as readonly string[]).includes(o.format))
    throw new CliError(`--format must be one of ${MODEL_FORMATS.join(', ')}, not "${o.format}"`);
  return source;
}

async function planImport(api: ApiClient, source: Source, o: ImportOpts): Promise<{ spec: VersionSpec; files?: UploadFile[] }> {
  let files: UploadFile[] | undefined;
  let names: string[] | undefined;
  let specSource: VersionSpec['source'];
  if (source === 'upload') {
    if (o.dir) {
      files = await walkDir(o.dir);
      if (!files.length) throw new CliError(`${o.dir} is empty: nothing to import`);
      names = files.map((f) => f.path);
    } else {
      const zip = o.zip!;
      if (!zip.toLowerCase().endsWith('.zip')) throw new CliError(`--zip wants a .zip file, got ${zip}`);
      files = [await oneFile(zip, path.basename(zip))];
      if (!o.format || !o.runtime) names = await zipEntryNames(zip);
    }
    specSource = { type: 'upload' };
  } else if (source === 'storage') {
    const p = o.path!;
    if ((!o.format || !o.runtime) && !p.startsWith('file:')) names = (await api.listStorage(p)).map((x) => x.path);
    specSource = { type: 'storage', path: p };
  } else {
    specSource = { type: 'task', task: o.task!, ...(o.run ? { run: o.run } : {}) };
    if (!o.format || !o.runtime) {
      const out = await api.json<{ items: { path: string }[] }>('GET', `/api/v1/tasks/${encodeURIComponent(o.task!)}/outputs`, {
        query: { run: o.run?.replace(/^run-?/i, '') },
      });
      names = out.items.map((x) => x.path);
    }
  }

  const inferred = names ? inferPackage(names) : undefined;
  const format = o.format ?? inferred?.format;
  const runtime = o.runtime ?? inferred?.runtime;
  if (!format) throw new CliError('give --format (onnx, torchscript, pytorch or custom): it cannot be inferred for this source');
  if (!runtime)
    throw new CliError(
      `give --runtime (see \`modeldock runtimes\`): it cannot be inferred for a ${format} package without model_service.py / model_service.js`,
    );
  if (inferred && (!o.format || !o.runtime)) {
    const what = [!o.format && `format ${format}`, !o.runtime && `runtime ${runtime}`].filter(Boolean).join(', ');
    process.stderr.write(`inferred ${what} from the files (set --format / --runtime to override)\n`);
  }

  const spec: VersionSpec = { source: specSource, format, runtime, createModel: true };
  if (o.metrics !== undefined) spec.metrics = await parseMetrics(o.metrics);
  if (o.move) spec.moveMode = o.move as 'copy' | 'move';
  if (o.description !== undefined) spec.description = o.description;
  return { spec, files };
}

/** Free text, or JSON when it parses as an object; `@file` reads the file. */
export async function parseMetrics(raw: string): Promise<string | Record<string, unknown>> {
  const text = raw.startsWith('@') ? await fs.readFile(raw.slice(1), 'utf8') : raw;
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t) as Record<string, unknown>;
    } catch {
      /* not JSON: free text */
    }
  }
  return text;
}

function zipEntryNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new CliError(`${file} is not a readable zip: ${err?.message ?? 'unknown error'}`, 'INVALID_ARCHIVE'));
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', (e: Error) => reject(new CliError(`${file}: ${e.message}`, 'INVALID_ARCHIVE')));
      zip.readEntry();
    });
  });
}

/** Polls the version until it leaves `importing` (gently backing off up to 2 s between looks). */
export async function waitForImport(api: ApiClient, v: ModelVersion, timeoutSeconds: number): Promise<ModelVersion> {
  const deadline = Date.now() + (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 3600) * 1000;
  const line = statusLine();
  let delayMs = 100;
  let cur = v;
  try {
    while (cur.status === 'importing') {
      if (Date.now() > deadline)
        throw new CliError(
          `${v.model} ${v.version} is still importing after ${timeoutSeconds}s (see \`modeldock models version ${v.model} ${v.version}\`)`,
          'TIMEOUT',
        );
      line.set(`importing ${v.model} ${v.version}…`);
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(2000, Math.round(delayMs * 1.5));
      cur = await api.getVersion(v.model, v.version);
    }
  } finally {
    line.clear();
  }
  return cur;
}
