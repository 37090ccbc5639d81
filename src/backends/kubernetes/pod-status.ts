/**
 * A pod's status read back as an instance phase (DESIGN.md §2: Pending, Starting, Ready,
 * Unhealthy, Terminating, Exited), with restarts, the last exit reason, and `failed` when
 * restarting will not help (the model fetch failed, the model cannot load, a crash loop,
 * a bad image name or a missing ConfigMap/Secret).
 */
import os from 'node:os';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { InstancePhase } from '../../contracts/services.js';
import { INSTANCE_PORT } from './manifests.js';

/** `modeldock instance` exits 3 when the model cannot load. */
const LOAD_FAILED_EXIT = 3;
const CRASH_LOOP_RESTARTS = 5;
const HOPELESS_WAITING = new Set(['InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

export interface PodView {
  phase: InstancePhase;
  url?: string;
  node: string;
  startedAt: string | null;
  restarts: number;
  lastExitReason?: string;
  failed?: string;
}

export function podView(pod: V1Pod): PodView {
  const st = pod.status ?? {};
  const main = st.containerStatuses?.find((c) => c.name === 'instance');
  const init = st.initContainerStatuses?.find((c) => c.name === 'fetch-model');
  const base = {
    node: pod.spec?.nodeName ?? '',
    startedAt: st.startTime ? new Date(st.startTime).toISOString() : null,
    restarts: main?.restartCount ?? 0,
    ...(st.podIP ? { url: `http://${st.podIP}:${INSTANCE_PORT}` } : {}),
  };
  const last = exitReason(main);
  const withLast = last ? { ...base, lastExitReason: last } : base;
  if (pod.metadata?.deletionTimestamp) return { ...withLast, phase: 'Terminating' };

  const initFailed = init?.state?.terminated && init.state.terminated.exitCode !== 0 ? init.state.terminated : init?.lastState?.terminated;
  if (initFailed && initFailed.exitCode !== 0 && !init?.state?.running) {
    return {
      ...withLast,
      phase: 'Exited',
      failed: `could not fetch the model files: ${initFailed.message ?? initFailed.reason ?? `exit code ${initFailed.exitCode}`}`,
    };
  }
  const waiting = main?.state?.waiting ?? init?.state?.waiting;
  if (waiting?.reason && HOPELESS_WAITING.has(waiting.reason))
    return { ...withLast, phase: 'Exited', failed: `${waiting.reason}: ${waiting.message ?? ''}`.trim() };
  if (st.phase === 'Failed' || st.phase === 'Succeeded') return { ...withLast, phase: 'Exited' };
  if (main?.lastState?.terminated?.exitCode === LOAD_FAILED_EXIT && !main.ready) {
    return { ...withLast, phase: 'Exited', failed: `model load failed: ${main.lastState.terminated.message ?? last ?? 'exit code 3'}` };
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const phase: InstancePhase = 'Exited';
    return base.restarts >= CRASH_LOOP_RESTARTS
      ? { ...withLast, phase, failed: `crash loop: ${base.restarts} restarts; last: ${last ?? 'unknown'}` }
      : { ...withLast, phase };
  }
  if (!main?.state?.running) return { ...withLast, phase: 'Pending' };
  if (main.ready) return { ...withLast, phase: 'Ready' };
  // running, not ready: still inside its startup probe, or ready once and failing now
  return { ...withLast, phase: main.started ? 'Unhealthy' : 'Starting' };
}

function exitReason(c: V1ContainerStatus | undefined): string | undefined {
  const t = c?.lastState?.terminated;
  if (!t) return undefined;
  // kubelets report a signal death as exit code 128+N and rarely fill `signal`
  const signal = t.signal || (t.exitCode > 128 ? signalName(t.exitCode - 128) : undefined);
  const how = signal ? `killed by signal ${signal}${t.exitCode > 128 ? ` (exit code ${t.exitCode})` : ''}` : `exited with code ${t.exitCode}`;
  return [t.reason, how, t.message].filter(Boolean).join(': ');
}

function signalName(n: number): string | number {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0] ?? n;
}
