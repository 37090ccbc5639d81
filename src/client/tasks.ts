/** Training tasks: create, list, follow a run's logs to its end, stop/restart, outputs, examples. */
import type { Page } from '../contracts/resources.js';
import { FINAL_TASK_STATES, type Task, type TaskExample, type TaskLogLine, type TaskRun, type TaskRunOutputs, type TaskSpec } from '../contracts/tasks.js';
import { pollUntil, type HttpClient, type RawBody } from './http.js';
import { sleep } from './sse.js';

export interface TaskLogsPage {
  run: number;
  items: TaskLogLine[];
  cursor: number;
  /** the run has ended and every line was read */
  done: boolean;
}

const seg = encodeURIComponent;

export class TasksApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates a task and starts its first run (code from an example or object storage); answers at once. */
  create(spec: TaskSpec): Promise<Task> {
    return this.http.json('POST', '/api/v1/tasks', { json: spec });
  }

  /** Creates a task from uploaded code: multipart, `spec` field first (code.type "upload"), then the files. */
  createUpload(body: RawBody): Promise<Task> {
    return this.http.json('POST', '/api/v1/tasks', { body, timeoutMs: 0 });
  }

  list(q: { keyword?: string; state?: string; offset?: number; limit?: number } = {}): Promise<Page<Task>> {
    return this.http.json('GET', '/api/v1/tasks', { query: q });
  }

  get(name: string): Promise<Task> {
    return this.http.json('GET', `/api/v1/tasks/${seg(name)}`);
  }

  async delete(name: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/tasks/${seg(name)}`);
  }

  stop(name: string): Promise<Task> {
    return this.http.json('POST', `/api/v1/tasks/${seg(name)}/actions`, { json: { action: 'stop' } });
  }

  /** Starts a new run. */
  restart(name: string): Promise<Task> {
    return this.http.json('POST', `/api/v1/tasks/${seg(name)}/actions`, { json: { action: 'restart' } });
  }

  /** One page of a run's log lines (default: the latest run); pass `cursor` back as `after`. */
  logs(name: string, q: { run?: number; after?: number; limit?: number } = {}): Promise<TaskLogsPage> {
    return this.http.json('GET', `/api/v1/tasks/${seg(name)}/logs`, { query: q });
  }

  /** A run's log lines as they come, ending when the run has ended and every line was read. */
  async *followLogs(name: string, q: { run?: number; everyMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<TaskLogLine> {
    let after: number | undefined;
    let run = q.run;
    while (!q.signal?.aborted) {
      const r = await this.logs(name, { run, after, limit: 1000 });
      run = r.run;
      yield* r.items;
      after = r.cursor;
      if (r.done) return;
      if (!r.items.length) await sleep(q.everyMs ?? 500, q.signal);
    }
  }

  /** Waits until the latest run (or `run`) has ended; answers that run (Succeeded, Failed or Stopped). */
  waitFor(name: string, opts: { run?: number; timeoutMs?: number } = {}): Promise<TaskRun> {
    return pollUntil(
      async () => {
        const t = await this.get(name);
        const r = opts.run === undefined ? t.latestRun : t.runs?.find((x) => x.run === opts.run);
        return r && FINAL_TASK_STATES.includes(r.state) ? r : undefined;
      },
      `task ${name} to end`,
      opts.timeoutMs ?? 3_600_000,
    );
  }

  outputs(name: string, run?: number): Promise<TaskRunOutputs> {
    return this.http.json('GET', `/api/v1/tasks/${seg(name)}/outputs`, { query: { run } });
  }

  async examples(): Promise<TaskExample[]> {
    return (await this.http.json<{ items: TaskExample[] }>('GET', '/api/v1/task-examples')).items;
  }
}
