import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../log.js';
import { Autoscaler } from '../services/autoscaler.js';
import type { VersionRow } from '../services/services-repo.js';
import { openDb } from '../store/db/connect.js';
import { eventually } from '../../test/support/platform.js';
import { TrafficShare } from './traffic-share.js';

const log = createLogger('silent');

describe('traffic shared between replicas through the store', () => {
  it("lets the leader's autoscaler count a follower's calls and wake-ups", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-traffic-'));
    const a = await openDb(`sqlite:${path.join(dir, 'db')}`);
    const b = await openDb(`sqlite:${path.join(dir, 'db')}`);
    const followerScaler = new Autoscaler();
    const leaderScaler = new Autoscaler();
    const follower = new TrafficShare(a.kysely, 'host/1/follower', followerScaler, log, 50);
    const leader = new TrafficShare(b.kysely, 'host/2/leader', leaderScaler, log, 50);
    onTestFinished(async () => {
      follower.stop();
      leader.stop();
      await a.close();
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const row = { id: 'v1', desired_instances: 0 } as VersionRow;
    const spec = {
      model: 'm',
      modelVersion: 'v1',
      resources: { cpuMillicores: 1000, memoryMiB: 512 },
      scaling: { mode: 'auto' as const, minInstances: 0, maxInstances: 4, metric: 'qps-per-instance' as const, target: 10 },
    };
    follower.report();
    leader.read();
    expect(leaderScaler.desired(row, spec)).toBe(0);
    const release = followerScaler.hold('v1');
    follower.nudge();
    await eventually(() => leaderScaler.desired(row, spec) === 1, 5_000, 'the wake-up to reach the leader');
    release();
    for (let i = 0; i < 250; i++) followerScaler.observe('v1', 1);
    await eventually(() => leaderScaler.desired(row, spec) === 3, 5_000, "the follower's calls to count");
  });
});
