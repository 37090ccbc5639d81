/**
 * The built-in runtime environments (DESIGN.md §2) and whether each can run on this
 * machine. Probing runs once per process (python import check), then is cached.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { ModelFormat, RuntimeEnv } from '../contracts/resources.js';
import { RUNTIME_IDS } from '../contracts/runtimes.js';

export interface RuntimeDef {
  id: string;
  kind: RuntimeEnv['kind'];
  description: string;
  formats: ModelFormat[];
}

export { RUNTIME_IDS };

export const RUNTIMES: readonly RuntimeDef[] = [
  {
    id: RUNTIME_IDS.onnx,
    kind: 'onnx',
    description: 'ONNX Runtime 1.30 in the Node 20 instance process (CPU); built-in image handler via modeldock.json, or a Node handler',
    formats: ['onnx', 'custom'],
  },
  {
    id: RUNTIME_IDS.torch,
    kind: 'python',
    description: 'Python 3.11 with PyTorch 1.13 (CPU), TI-ONE compatible tiinfer model_service.py',
    formats: ['torchscript', 'pytorch', 'custom', 'onnx'],
  },
  {
    id: RUNTIME_IDS.node,
    kind: 'node',
    description: 'Node 20 handler: model_service.ts / model_service.js exporting a class with load/preprocess/predict/postprocess',
    formats: ['custom', 'onnx'],
  },
];

export function findRuntime(id: string): RuntimeDef | undefined {
  return RUNTIMES.find((r) => r.id === id);
}

let probed: Promise<RuntimeEnv[]> | undefined;

/** The catalog with availability on this machine. */
export function runtimeCatalog(pythonPath: string): Promise<RuntimeEnv[]> {
  probed ??= probeAll(pythonPath);
  return probed;
}

async function probeAll(pythonPath: string): Promise<RuntimeEnv[]> {
  const [onnx, torch] = await Promise.all([probeOnnx(), probePython(pythonPath)]);
  return RUNTIMES.map((r) => {
    const p = r.kind === 'onnx' ? onnx : r.kind === 'python' ? torch : { available: true, details: { node: process.version } };
    return { ...r, formats: [...r.formats], ...p };
  });
}

type Probe = { available: boolean; reason?: string; details?: Record<string, string> };

async function probeOnnx(): Promise<Probe> {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('onnxruntime-node/package.json') as { version: string };
    await import('onnxruntime-node');
    return { available: true, details: { 'onnxruntime-node': pkg.version } };
  } catch (e) {
    return { available: false, reason: `onnxruntime-node cannot be loaded: ${(e as Error).message}` };
  }
}

const PY_PROBE = `
import json, sys
out = {"python": sys.version.split()[0]}
missing = []
for name in ("torch", "torchvision", "PIL", "numpy"):
    try:
        m = __import__(name)
        out[name] = getattr(m, "__version__", "?")
    except Exception as e:
        missing.append(name)
out["missing"] = missing
print(json.dumps(out))
`;

export function probePython(pythonPath: string): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(pythonPath, ['-c', PY_PROBE], { timeout: 30_000 }, (err, stdout) => {
      if (err) {
        resolve({ available: false, reason: `${pythonPath} cannot run: ${err.message.split('\n')[0]}` });
        return;
      }
      try {
        const info = JSON.parse(stdout) as Record<string, string> & { missing: string[] };
        const { missing, ...details } = info;
        if (missing.includes('torch')) {
          resolve({ available: false, reason: `${pythonPath} lacks torch (install Debian's python3-torch)`, details });
        } else if (missing.length) {
          const pkgs = missing.map((m) => `python3-${m === 'PIL' ? 'pil' : m}`).join(', ');
          resolve({ available: false, reason: `${pythonPath} lacks ${missing.join(', ')} (install ${pkgs})`, details });
        } else resolve({ available: true, details });
      } catch {
        resolve({ available: false, reason: `${pythonPath} answered the probe with: ${stdout.slice(0, 200)}` });
      }
    });
  });
}
