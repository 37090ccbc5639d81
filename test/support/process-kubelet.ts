/**
 * A one-node Kubernetes for tests, with no cluster: the API objects the backend applies are
 * kept (each validated against the Kubernetes schemas first), a Deployment controller keeps
 * its pods at `replicas`, and a kubelet runs each pod for real: the init container's and the
 * main container's args as `modeldock` processes, with the env the manifest gives them
 * (values, `fieldRef: metadata.name`, `envFrom` ConfigMaps), the model volume as a folder,
 * and the pod's own loopback address (127.0.0.N) for `--host 0.0.0.0`. It probes the
 * container's readiness over HTTP and reports container statuses as a kubelet does:
 * restartCount, lastState.terminated with exitCode 128+N for a signal (and no `signal`
 * field, as kubelets report it), the last log lines as the message under
 * `terminationMessagePolicy: FallbackToLogsOnError`, and CrashLoopBackOff between restarts.
 * The main container's output is kept and served as the Log API serves it (`follow`,
 * `timestamps`, `sinceTime`; the stream ends when the container exits).
 *
 * So the backend contract runs the real manifests (args, env, probes) against the real
 * instance binary. What it is not: no scheduler, no resource limits, no image (the
 * checkout's bin/modeldock.js stands for it), backoff in milliseconds instead of 10 s steps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ClusterApi } from '../../src/backends/kubernetes/cluster-api.js';
import type { Manifest } from '../../src/backends/kubernetes/manifests.js';
import { validateManifest } from './kubernetes.js';

type Obj = Record<string, any>;
const BIN = path.resolve('bin/modeldock.js');
const LOG_TAIL_LINES = 20;

interface Container {
  name: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  readinessProbe?: Obj;
  startupProbe?: Obj;
  terminationMessagePolicy?: string;
  volumeMounts?: { name: string; mountPath: string }[];
  ports?: { name: string; containerPort: number }[];
}

interface LogLine {
  /** RFC3339 with nanoseconds, unique and rising per pod */
  ts: string;
  text: string;
}

interface PodRun {
  log: LogLine[];
  followers: Set<{ since: string; onChunk: (text: string) => void; end: () => void }>;
  pod: V1Pod;
  deployment: string;
  dir: string;
  ip: string;
  template: Obj;
  proc?: ChildProcess;
  tail: string[];
  failures: number;
  probeTimer?: NodeJS.Timeout;
  deleting: boolean;
}

export class ProcessKubelet implements ClusterApi {
  readonly objects = new Map<string, Manifest & { spec: Obj }>();
  private readonly pods = new Map<string, PodRun>();
  private n = 0;
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-kubelet-'));

  /** ConfigMaps by name, as the platform's deploy manifests create them */
  constructor(private readonly configMaps: Record<string, Record<string, string>>) {}

  async apply(m: Manifest): Promise<void> {
    validateManifest(m);
    this.objects.set(`${m.kind}/${m.metadata.name}`, structuredClone(m) as Manifest & { spec: Obj });
    if (m.kind === 'Deployment') this.control(m.metadata.name);
  }

  async remove(_apiVersion: string, kind: string, name: string): Promise<void> {
    this.objects.delete(`${kind}/${name}`);
    if (kind === 'Deployment') this.control(name);
  }

  async listPods(labelSelector: string): Promise<V1Pod[]> {
    const want = labelSelector.split(',').map((kv) => kv.split('='));
    return [...this.pods.values()]
      .map((r) => r.pod)
      .filter((p) => want.every(([k, v]) => p.metadata?.labels?.[k!] === v))
      .map((p) => structuredClone(p));
  }

  async annotatePod(name: string, annotations: Record<string, string>): Promise<void> {
    const r = this.pods.get(name);
    if (r) r.pod.metadata!.annotations = { ...r.pod.metadata!.annotations, ...annotations };
  }

  async followLogs(
    pod: string,
    container: string,
    opts: { sinceTime?: string },
    onChunk: (text: string) => void,
  ): Promise<{ stop(): void; ended: Promise<void> }> {
    const r = this.pods.get(pod);
    if (!r || container !== r.template.spec.containers[0].name) throw Object.assign(new Error(`pod ${pod} has no container ${container}`), { code: 404 });
    const since = opts.sinceTime ?? '';
    const old = r.log.filter((l) => l.ts >= since);
    if (old.length) onChunk(old.map((l) => `${l.ts} ${l.text}\n`).join(''));
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const f = { since, onChunk, end };
    r.followers.add(f);
    void ended.then(() => r.followers.delete(f));
    return { stop: end, ended };
  }

  /** The pod serving at a URL the backend reported (http://<pod IP>:<port>). */
  podAt(url: string): { name: string; kill(signal: NodeJS.Signals): void } {
    const ip = new URL(url).hostname;
    const r = [...this.pods.values()].find((x) => x.ip === ip);
    if (!r) throw new Error(`no pod has address ${ip}`);
    return { name: r.pod.metadata!.name!, kill: (s) => r.proc?.kill(s) };
  }

  async close(): Promise<void> {
    const exits = [...this.pods.values()].map((r) => this.kill(r, 'SIGKILL'));
    await Promise.all(exits);
    this.pods.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  // ---- the Deployment controller ----

  private control(deployment: string): void {
    const d = this.objects.get(`Deployment/${deployment}`);
    const mine = () => [...this.pods.values()].filter((r) => r.deployment === deployment && !r.deleting);
    if (!d) {
      for (const r of mine()) void this.deletePod(r);
      return;
    }
    const hash = d.spec.template.metadata.labels['modeldock.io/spec-hash'];
    for (const old of mine().filter((r) => r.pod.metadata!.labels!['modeldock.io/spec-hash'] !== hash)) void this.deletePod(old);
    const cost = (r: PodRun) => Number(r.pod.metadata!.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
    while (mine().length > d.spec.replicas) void this.deletePod([...mine()].sort((a, b) => cost(a) - cost(b))[0]!);
    while (mine().length < d.spec.replicas) this.createPod(deployment, d.spec.template);
  }

  private createPod(deployment: string, template: Obj): void {
    const i = ++this.n;
    const name = `${deployment}-${i.toString(36).padStart(5, '0')}`;
    const dir = path.join(this.root, name);
    fs.mkdirSync(dir, { recursive: true });
    const init = template.spec.initContainers?.[0] as Container | undefined;
    const pod: V1Pod = {
      metadata: {
        name,
        labels: { ...template.metadata.labels },
        annotations: { ...template.metadata.annotations },
        creationTimestamp: new Date(Date.now() + i) as unknown as Date,
      },
      spec: { nodeName: os.hostname(), containers: [] },
      status: { phase: 'Pending', podIP: `127.0.0.${10 + (i % 240)}`, startTime: new Date() },
    };
    const r: PodRun = { log: [], followers: new Set(), pod, deployment, dir, ip: pod.status!.podIP!, template, tail: [], failures: 0, deleting: false };
    this.pods.set(name, r);
    if (init) this.runInit(r, init);
    else this.runMain(r);
  }

  private async deletePod(r: PodRun): Promise<void> {
    if (r.deleting) return;
    r.deleting = true;
    r.pod.metadata!.deletionTimestamp = new Date();
    const graceS = Number(r.template.spec.terminationGracePeriodSeconds ?? 30);
    const killer = setTimeout(() => r.proc?.kill('SIGKILL'), graceS * 1000);
    await this.kill(r, 'SIGTERM');
    clearTimeout(killer);
    this.pods.delete(r.pod.metadata!.name!);
    fs.rmSync(r.dir, { recursive: true, force: true });
  }

  private kill(r: PodRun, signal: NodeJS.Signals): Promise<void> {
    if (r.probeTimer) clearInterval(r.probeTimer);
    const p = r.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  }

  // ---- the kubelet ----

  private runInit(r: PodRun, c: Container): void {
    const status = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: c.name, ready: false, restartCount: 0, image: '', imageID: '', ...s });
    r.pod.status!.initContainerStatuses = [status({ state: { running: { startedAt: new Date() } } })];
    this.spawnContainer(r, c, (code, message) => {
      if (r.deleting) return;
      if (code === 0) {
        r.pod.status!.initContainerStatuses = [status({ ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } })];
        this.runMain(r);
        return;
      }
      // a failed init container is retried with backoff; its last failure stays in lastState
      r.pod.status!.initContainerStatuses = [
        status({
          restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: code, reason: 'Error', ...(message ? { message } : {}) } },
        }),
      ];
    });
  }

  private runMain(r: PodRun, restarts = 0, lastState?: V1ContainerStatus['lastState']): void {
    const c = r.template.spec.containers[0] as Container;
    const started = new Date();
    const status = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({
      name: c.name,
      ready: false,
      started: false,
      restartCount: restarts,
      image: '',
      imageID: '',
      ...(lastState ? { lastState } : {}),
      ...s,
    });
    r.pod.status = { ...r.pod.status, phase: 'Running', containerStatuses: [status({ state: { running: { startedAt: started } } })] };
    this.probe(r, c, status, started);
    this.spawnContainer(r, c, (code, message) => {
      if (r.probeTimer) clearInterval(r.probeTimer);
      if (r.deleting) return;
      const last = { terminated: { exitCode: code, reason: 'Error', startedAt: started, finishedAt: new Date(), ...(message ? { message } : {}) } };
      r.pod.status!.containerStatuses = [
        {
          name: c.name,
          ready: false,
          started: false,
          restartCount: restarts,
          image: '',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: last,
        },
      ];
      const backoffMs = Math.min(2_000, 100 * 2 ** restarts);
      setTimeout(() => !r.deleting && this.runMain(r, restarts + 1, last), backoffMs).unref();
    });
  }

  /** The startup probe until it passes once, then the readiness probe, each on its period. */
  private probe(r: PodRun, c: Container, status: (s: Partial<V1ContainerStatus>) => V1ContainerStatus, startedAt: Date): void {
    const readiness = c.readinessProbe ?? {};
    const port = c.ports?.find((p) => p.name === readiness.httpGet?.port)?.containerPort ?? readiness.httpGet?.port;
    const periodMs = Math.min(1_000, Number(readiness.periodSeconds ?? 10) * 1000);
    let started = false;
    let ready = false;
    r.failures = 0;
    r.probeTimer = setInterval(async () => {
      const ok = await fetch(`http://${r.ip}:${port}${readiness.httpGet?.path ?? '/'}`, {
        signal: AbortSignal.timeout(Number(readiness.timeoutSeconds ?? 1) * 1000),
      })
        .then((res) => res.status >= 200 && res.status < 400)
        .catch(() => false);
      if (r.deleting || !r.pod.status?.containerStatuses?.[0]?.state?.running) return;
      r.failures = ok ? 0 : r.failures + 1;
      if (ok) started = true;
      if (ok) ready = true;
      else if (r.failures >= Number(readiness.failureThreshold ?? 3)) ready = false;
      r.pod.status.containerStatuses = [status({ started, ready, state: { running: { startedAt } } })];
    }, periodMs);
    r.probeTimer.unref();
  }

  private logLine(r: PodRun, text: string): void {
    const now = new Date().toISOString();
    // nanoseconds as a kubelet writes them: the millisecond, then a per-pod count, so keys never tie
    const ts = `${now.slice(0, 23)}${String(++this.n % 1e6).padStart(6, '0')}Z`;
    const line = { ts, text };
    r.log.push(line);
    for (const f of r.followers) f.onChunk(`${ts} ${text}\n`);
  }

  private spawnContainer(r: PodRun, c: Container, onExit: (code: number, message: string | undefined) => void): void {
    const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, path.join(r.dir, m.name)]));
    for (const dir of mounts.values()) fs.mkdirSync(dir, { recursive: true });
    const args = c.args.map((a, i) => (c.args[i - 1] === '--host' ? r.ip : (mounts.get(a) ?? a)));
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: r.dir, env: this.envOf(r, c), stdio: ['ignore', 'pipe', 'pipe'] });
    r.proc = proc;
    r.tail = [];
    const main = c === r.template.spec.containers[0];
    const keep = (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      r.tail.push(...lines);
      r.tail.splice(0, Math.max(0, r.tail.length - LOG_TAIL_LINES));
      if (main) for (const l of lines) this.logLine(r, l);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    proc.on('exit', (code, signal) => {
      // a follow stream ends with the container (PodLogs opens it again)
      if (main) for (const f of [...r.followers]) f.end();
      const exitCode = code ?? 128 + (signal ? os.constants.signals[signal] : 0);
      const message = c.terminationMessagePolicy === 'FallbackToLogsOnError' && exitCode !== 0 ? r.tail.join('\n') : undefined;
      onExit(exitCode, message);
    });
  }

  private envOf(r: PodRun, c: Container): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: r.dir, TMPDIR: path.join(r.dir, 'tmp') };
    fs.mkdirSync(env.TMPDIR!, { recursive: true });
    for (const from of c.envFrom ?? []) {
      const data = from.configMapRef ? this.configMaps[from.configMapRef.name] : undefined;
      if (from.configMapRef && !data && !from.configMapRef.optional) throw new Error(`ConfigMap ${from.configMapRef.name} is missing`);
      Object.assign(env, data ?? {});
    }
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = r.pod.metadata!.name;
    }
    return env;
  }
}
