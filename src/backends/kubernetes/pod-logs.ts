/**
 * Instance logs on Kubernetes: the leader follows each instance pod's `instance` container
 * log (the Log API, `follow` with timestamps) and hands every line to onLog, so pod output
 * lands in the same log store as local instances'. A stream that ends (a container
 * restart, an API server hiccup) is opened again from the last line's second, the lines
 * of that second already seen skipped; a pod that is gone stops its follower.
 */
import type { InstanceLogLine } from '../backend.js';
import type { ClusterApi } from './cluster-api.js';

export interface FollowedPod {
  pod: string;
  instanceId: string;
  service: string;
}

interface Follower extends FollowedPod {
  active: boolean;
  /** the last line's timestamp, as a sortable key (nanoseconds, 9 digits) */
  last?: string;
  stop?: () => void;
}

export const CONTAINER = 'instance';

/** "2026-01-01T00:00:00.5Z" → "2026-01-01T00:00:00.500000000Z": RFC3339Nano trims zeros, so keys compare as text. */
export function tsKey(ts: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return undefined;
  const utc = m[3] === 'Z' ? m[1]! : new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${utc}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

export class PodLogs {
  private readonly followers = new Map<string, Follower>();

  constructor(
    private readonly cluster: Required<Pick<ClusterApi, 'followLogs'>>,
    private readonly emit: (l: InstanceLogLine) => void,
    private readonly o: { retryMs?: number; maxRetryMs?: number; onError?: (e: unknown) => void } = {},
  ) {}

  /** The pods whose containers have started now: followers start for new ones and stop for the rest. */
  sync(pods: readonly FollowedPod[]): void {
    const want = new Map(pods.map((p) => [p.pod, p]));
    for (const [name, f] of this.followers) {
      if (want.has(name)) continue;
      f.active = false;
      f.stop?.();
      this.followers.delete(name);
    }
    for (const p of want.values()) {
      if (this.followers.has(p.pod)) continue;
      const f: Follower = { ...p, active: true };
      this.followers.set(p.pod, f);
      void this.run(f);
    }
  }

  following(): string[] {
    return [...this.followers.keys()];
  }

  close(): void {
    this.sync([]);
  }

  private async run(f: Follower): Promise<void> {
    let wait = this.o.retryMs ?? 1_000;
    while (f.active) {
      try {
        const sinceTime = f.last ? `${f.last.slice(0, 19)}Z` : undefined;
        let buf = '';
        const h = await this.cluster.followLogs(f.pod, CONTAINER, { sinceTime }, (chunk) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            this.line(f, buf.slice(0, nl).replace(/\r$/, ''));
            buf = buf.slice(nl + 1);
          }
        });
        f.stop = h.stop;
        if (!f.active) h.stop();
        await h.ended;
        if (buf) this.line(f, buf);
        wait = this.o.retryMs ?? 1_000;
      } catch (e) {
        // e.g. the container is still starting (400), or the API server is away
        this.o.onError?.(e);
        wait = Math.min(this.o.maxRetryMs ?? 30_000, wait * 2);
      }
      if (f.active) await new Promise((r) => setTimeout(r, wait).unref());
    }
  }

  private line(f: Follower, raw: string): void {
    const sp = raw.indexOf(' ');
    const key = sp > 0 ? tsKey(raw.slice(0, sp)) : undefined;
    if (!key) return this.emit({ ts: new Date().toISOString(), service: f.service, instanceId: f.instanceId, stream: 'stdout', line: raw });
    if (f.last && key <= f.last) return; // already seen before the stream was opened again
    f.last = key;
    this.emit({ ts: `${key.slice(0, 23)}Z`, service: f.service, instanceId: f.instanceId, stream: 'stdout', line: raw.slice(sp + 1) });
  }
}
