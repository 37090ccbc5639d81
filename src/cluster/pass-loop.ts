/**
 * How the platform's controllers run their passes (the services reconciler, batch jobs,
 * rollouts): one pass at a time; a kick during a pass asks for one more right after it
 * (kicks coalesce, none is lost); a pass every `periodMs` while started; stop() waits for
 * the pass in flight. A pass that throws is reported and the loop goes on. Controllers
 * start and stop on the replica that holds the lease (roles.ts).
 */
export class PassLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private started = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly opts: { periodMs: number; onError: (e: unknown) => void },
  ) {}

  get isStarted(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const loop = () => {
      if (!this.started) return;
      this.kick();
      this.timer = setTimeout(loop, this.opts.periodMs);
      this.timer.unref();
    };
    loop();
  }

  /** Asks for a pass soon; passes never overlap. */
  kick(): void {
    if (!this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((e) => this.opts.onError(e))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Resolves after a full pass that started after this call. */
  async settle(): Promise<void> {
    await this.running;
    this.kick();
    await this.running;
  }
}
