import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { FolderBlobStore } from '../../store/blobs/folder-blob-store.js';
import { describeTaskRunner, ORPHAN_SLEEP } from '../task-runner.contract.js';
import { LocalTaskRunner } from './local-task-runner.js';

describeTaskRunner('local processes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-runner-'));
  const blobs = new FolderBlobStore(path.join(root, 'blobs'));
  const runner = new LocalTaskRunner({ blobs, workRoot: path.join(root, 'runs'), python: '/usr/bin/python3', watchPeriodMs: 100 });
  return {
    runner,
    blobs,
    nodeRuntime: 'node20-handler',
    // A run's processes carry its work folder in their command line or cwd.
    async gone(runId) {
      const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
      return !out.split('\n').some((l) => l.includes(`sleep ${ORPHAN_SLEEP}`) || l.includes(runId));
    },
    async close() {
      await runner.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
