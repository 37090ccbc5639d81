/**
 * A minimal Node handler for modeldock (runtime `node20-handler`). The instance loads
 * this file (types are stripped at load), constructs the default-exported class with the
 * model folder and a context, calls load() once, then for each call:
 * preprocess(body) → predict(input) → postprocess(output) → the JSON answer.
 *
 * This one answers statistics of a list of numbers:
 *   POST /{service}/v1/models/m:predict  {"values": [1, 2, 3.5]}
 *   → {"count": 3, "sum": 6.5, "mean": 2.1666666666666665, "max": 3.5}
 *
 * It also answers OIP v2 (POST /v2/models/{service}/infer): the inputs and outputs below
 * are what GET /v2/models/{service} reports; a v2 call reaches preprocess() as
 * {"values": [...]} and the answer's keys become the output tensors.
 *
 * Replace predict() with your model. `ctx.ort` is onnxruntime-node (open an .onnx file
 * from modelDir with ctx.ort.InferenceSession.create), `ctx.images` fetches and decodes
 * `{"images": [...]}` items under the instance's URL policy, and `ctx.badInput(msg)`
 * makes an error that is answered 400.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The parts of the context this handler uses (the full type is in docs/model-package.md). */
interface HandlerContext {
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  badInput(message: string): Error;
}

interface Stats {
  count: number;
  sum: number;
  mean: number;
  max: number;
}

export default class Model {
  private scale = 1;

  /** The OIP v2 signature (OIP tensor metadata; -1: any size). Optional: omit both for none. */
  readonly inputs = [{ name: 'values', datatype: 'FP64', shape: [-1] }];
  readonly outputs = ['count', 'sum', 'mean', 'max'].map((name) => ({ name, datatype: 'FP64', shape: [1] }));

  constructor(
    private readonly modelDir: string,
    private readonly ctx: HandlerContext,
  ) {}

  /** Called once before the instance reports ready; throw to fail the load. */
  async load(): Promise<void> {
    const configFile = path.join(this.modelDir, 'config.json');
    if (fs.existsSync(configFile)) this.scale = Number((JSON.parse(fs.readFileSync(configFile, 'utf8')) as { scale?: number }).scale ?? 1);
    this.ctx.log('info', 'statistics model loaded', { scale: this.scale });
  }

  /** The request body → the model's input. Throw ctx.badInput(...) for a 400. */
  async preprocess(body: unknown): Promise<number[]> {
    const values = (body as { values?: unknown } | null)?.values;
    if (!Array.isArray(values) || values.length === 0) throw this.ctx.badInput('the body must be {"values": [<number>, ...]}');
    const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw this.ctx.badInput(`values[${bad}] is not a finite number`);
    return values as number[];
  }

  async predict(values: number[]): Promise<Stats> {
    const scaled = values.map((v) => v * this.scale);
    const sum = scaled.reduce((a, b) => a + b, 0);
    return { count: scaled.length, sum, mean: sum / scaled.length, max: Math.max(...scaled) };
  }

  async postprocess(stats: Stats): Promise<Stats> {
    return stats;
  }
}
