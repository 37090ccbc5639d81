/**
 * Tags a log line as it arrives with what the platform knows of where it came from: its
 * version (`v2`, from the instance or the access line's version id) and its level. Fed the
 * reconciler's observations, so a line costs two map reads.
 */
import { levelOf } from './log-level.js';
import type { NewLogLine } from './log-store.js';
import type { Observed } from '../services/reconciler.js';

export class LogTags {
  private versionOfId = new Map<string, string>();
  private versionOfInstance = new Map<string, string>();
  /** the observation before: an instance just gone still tags its last lines */
  private before = new Map<string, string>();

  update(o: Observed): void {
    const byId = new Map(o.versions.map((v) => [v.id, `v${v.seq}`]));
    const byInstance = new Map<string, string>();
    for (const i of o.instances) {
      const v = byId.get(i.versionId);
      if (v) byInstance.set(i.instanceId, v);
    }
    this.versionOfId = byId;
    this.before = this.versionOfInstance;
    this.versionOfInstance = byInstance;
  }

  tag(l: NewLogLine & { versionId?: string }): NewLogLine {
    const { versionId, ...line } = l;
    const version =
      l.version ??
      (versionId ? this.versionOfId.get(versionId) : undefined) ??
      (l.instanceId ? (this.versionOfInstance.get(l.instanceId) ?? this.before.get(l.instanceId)) : undefined);
    return { ...line, ...(version ? { version } : {}), level: l.level ?? levelOf(l.stream, l.line) };
  }
}
