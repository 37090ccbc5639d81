/**
 * One input sent to one instance (TI-ONE predict, `POST /v1/models/m:predict`), and what
 * the answer means for the job:
 *   ok        — 200: the answer goes into the result line
 *   bad-input — 4xx (not 429): the model refused this input; an error line
 *   model     — 500/504 and other 5xx: worth one more try, then an error line
 *   retry     — the instance is gone or busy (connection refused/reset, 429, 502, 503):
 *               the input is sent again, never counted as an error
 */
import { Agent, request } from 'undici';

export type PredictOutcome =
  { kind: 'ok'; output: unknown } | { kind: 'bad-input' | 'model'; error: { code: string; message: string } } | { kind: 'retry'; reason: string };

const RETRY_STATUSES = new Set([429, 502, 503]);

export class PredictClient {
  private readonly agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 300_000, bodyTimeout: 300_000 });

  async predict(url: string, body: unknown): Promise<PredictOutcome> {
    let res;
    try {
      res = await request(`${url}/v1/models/m:predict`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        dispatcher: this.agent,
      });
    } catch (e) {
      return { kind: 'retry', reason: (e as Error).message };
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      return { kind: 'retry', reason: `the answer was cut off: ${(e as Error).message}` };
    }
    if (res.statusCode === 200) {
      try {
        return { kind: 'ok', output: JSON.parse(text) as unknown };
      } catch {
        return { kind: 'ok', output: text };
      }
    }
    if (RETRY_STATUSES.has(res.statusCode)) return { kind: 'retry', reason: `answered ${res.statusCode}` };
    const error = errorOf(res.statusCode, text);
    return { kind: res.statusCode < 500 ? 'bad-input' : 'model', error };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function errorOf(status: number, text: string): { code: string; message: string } {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e?.code) return { code: e.code, message: String(e.message ?? '') };
  } catch {
    /* not the documented shape */
  }
  return { code: status < 500 ? 'INVALID_INPUT' : 'MODEL_ERROR', message: `the model answered ${status}: ${text.slice(0, 500)}` };
}
