/**
 * Loads a Node handler's module: `model_service.js` / `.mjs` / `.cjs` in place, or
 * `model_service.ts` / `.mts` with types stripped at load (the `typescript` package's
 * transpileModule, no type check). TypeScript packages are mirrored into a temp folder:
 * each .ts file transpiled to .js beside links to every other file, `"type": "module"`,
 * and the package's own node_modules (or modeldock's, so `onnxruntime-node` and `sharp`
 * resolve) linked in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CANDIDATES = ['model_service.ts', 'model_service.mts', 'model_service.js', 'model_service.mjs', 'model_service.cjs'];
const MAX_FILES = 5_000;

export function findHandlerFile(modelDir: string): string | undefined {
  const f = CANDIDATES.find((c) => fs.existsSync(path.join(modelDir, c)));
  return f && path.join(modelDir, f);
}

export interface LoadedModule {
  exports: Record<string, unknown>;
  /** removes the temp folder, if any */
  dispose(): void;
}

export async function loadHandlerModule(file: string): Promise<LoadedModule> {
  if (!/\.m?ts$/.test(file)) return { exports: (await import(pathToFileURL(file).href)) as Record<string, unknown>, dispose: () => undefined };
  const modelDir = path.dirname(file);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-handler-'));
  try {
    await mirrorTranspiled(modelDir, out);
    const entry = path.join(
      out,
      path
        .basename(file)
        .replace(/\.ts$/, '.js')
        .replace(/\.mts$/, '.mjs'),
    );
    const exports = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    return { exports, dispose: () => fs.rmSync(out, { recursive: true, force: true }) };
  } catch (e) {
    fs.rmSync(out, { recursive: true, force: true });
    throw e;
  }
}

async function mirrorTranspiled(src: string, out: string): Promise<void> {
  let ts: typeof import('typescript');
  try {
    ts = ((await import('typescript')) as { default: typeof import('typescript') }).default;
  } catch {
    throw new Error('model_service.ts needs the `typescript` package to strip types (npm install typescript), or ship model_service.js');
  }
  let count = 0;
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(src, rel), { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      if (++count > MAX_FILES) throw new Error(`the package has more than ${MAX_FILES} files; cannot prepare model_service.ts`);
      if (ent.isDirectory() && ent.name !== 'node_modules') {
        fs.mkdirSync(path.join(out, r), { recursive: true });
        walk(r);
      } else if (/\.m?ts$/.test(ent.name) && !ent.name.endsWith('.d.ts')) {
        const code = fs.readFileSync(path.join(src, r), 'utf8');
        const js = ts.transpileModule(code, {
          fileName: ent.name,
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            rewriteRelativeImportExtensions: true,
            useDefineForClassFields: true,
            sourceMap: false,
          },
        }).outputText;
        fs.writeFileSync(path.join(out, r.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs')), js);
      } else if (ent.name !== 'package.json') {
        fs.symlinkSync(path.join(src, r), path.join(out, r));
      }
    }
  };
  walk('');
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const own = path.join(src, 'node_modules');
  const ours = path.resolve(fileURLToPath(new URL('../../../node_modules', import.meta.url)));
  if (!fs.existsSync(path.join(out, 'node_modules'))) {
    const target = fs.existsSync(own) ? own : ours;
    if (fs.existsSync(target)) fs.symlinkSync(target, path.join(out, 'node_modules'), 'dir');
  }
}
