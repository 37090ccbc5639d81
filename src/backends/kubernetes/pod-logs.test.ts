/**
 * Following pod logs without a cluster (there is none here): a fake Log API that streams
 * timestamped text the way the API server does (`follow=true&timestamps=true`), ends
 * streams and fails to open them. What is not tested here: a real API server's Log API.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/platform.js';
import type { InstanceLogLine } from '../backend.js';
import { PodLogs, tsKey } from './pod-logs.js';

interface Open {
  pod: string;
  container: string;
  sinceTime?: string;
  write(text: string): void;
  end(): void;
  stopped: boolean;
}

function fakeLogApi(failFirst = 0) {
  const opens: Open[] = [];
  let fails = failFirst;
  return {
    opens,
    followLogs: async (pod: string, container: string, opts: { sinceTime?: string }, onChunk: (t: string) => void) => {
      if (fails-- > 0) throw new Error('container "instance" in pod is waiting to start: ContainerCreating');
      let end: () => void = () => undefined;
      const ended = new Promise<void>((r) => (end = r));
      const o: Open = { pod, container, sinceTime: opts.sinceTime, write: onChunk, end: () => end(), stopped: false };
      opens.push(o);
      return { stop: () => ((o.stopped = true), end()), ended };
    },
  };
}

describe('PodLogs', () => {
  it('reads timestamped lines across chunk boundaries into instance log lines', async () => {
    const api = fakeLogApi();
    const got: InstanceLogLine[] = [];
    const logs = new PodLogs(api, (l) => got.push(l), { retryMs: 10 });
    logs.sync([{ pod: 'relu-v1-abc', instanceId: 'relu-1-0000000a', service: 'relu' }]);
    await eventually(() => api.opens.length === 1, 2_000);
    expect(api.opens[0]).toMatchObject({ pod: 'relu-v1-abc', container: 'instance', sinceTime: undefined });
    api.opens[0]!.write('2026-01-01T00:00:01.5Z listening on :8080\n2026-01-01T00:00:02.123456789Z model lo');
    api.opens[0]!.write('aded 中文\n');
    expect(got).toEqual([
      { ts: '2026-01-01T00:00:01.500Z', service: 'relu', instanceId: 'relu-1-0000000a', stream: 'stdout', line: 'listening on :8080' },
      { ts: '2026-01-01T00:00:02.123Z', service: 'relu', instanceId: 'relu-1-0000000a', stream: 'stdout', line: 'model loaded 中文' },
    ]);
    logs.close();
  });

  it('opens an ended stream again from the last second, skipping lines already seen', async () => {
    const api = fakeLogApi();
    const got: string[] = [];
    const logs = new PodLogs(api, (l) => got.push(l.line), { retryMs: 10 });
    logs.sync([{ pod: 'p1', instanceId: 'i1', service: 's' }]);
    await eventually(() => api.opens.length === 1, 2_000);
    api.opens[0]!.write('2026-01-01T00:00:05.1Z a\n2026-01-01T00:00:05.2Z b\n');
    api.opens[0]!.end(); // the container restarted
    await eventually(() => api.opens.length === 2, 2_000, 'reopened');
    expect(api.opens[1]!.sinceTime).toBe('2026-01-01T00:00:05Z');
    api.opens[1]!.write('2026-01-01T00:00:05.1Z a\n2026-01-01T00:00:05.2Z b\n2026-01-01T00:00:05.3Z c\n');
    expect(got).toEqual(['a', 'b', 'c']);
    logs.close();
  });

  it('retries a pod whose container is not up yet, and stops following a pod that is gone', async () => {
    const api = fakeLogApi(2);
    const errors: unknown[] = [];
    const logs = new PodLogs(api, () => undefined, { retryMs: 5, onError: (e) => errors.push(e) });
    logs.sync([{ pod: 'p1', instanceId: 'i1', service: 's' }]);
    await eventually(() => api.opens.length === 1, 2_000, 'opened after two failures');
    expect(errors).toHaveLength(2);
    logs.sync([]);
    expect(api.opens[0]!.stopped).toBe(true);
    expect(logs.following()).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(api.opens).toHaveLength(1);
  });

  it('compares RFC3339Nano timestamps whose trailing zeros were trimmed', () => {
    expect(tsKey('2026-01-01T00:00:05.1Z')! > tsKey('2026-01-01T00:00:05.09Z')!).toBe(true);
    expect(tsKey('2026-01-01T00:00:05Z')).toBe('2026-01-01T00:00:05.000000000Z');
    expect(tsKey('2026-01-01T08:00:05.5+08:00')).toBe('2026-01-01T00:00:05.500000000Z');
    expect(tsKey('not a time')).toBeUndefined();
  });
});
