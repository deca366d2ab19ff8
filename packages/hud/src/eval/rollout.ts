// rollout: one task, one agent, one environment lease — phases, failure isolation, timeouts, verifiers.
import { type ConnectOptions, connect, type HudClient, helloMemoOf } from "../client/client.ts";
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import type { Lease, Placement } from "../runtime/placement.ts";
import { type Agent, agentConfig, invokeAgent } from "./agent.ts";
import { observeFileTracking, tracksFiles } from "./file-tracking-observer.ts";
import { Grade } from "./grade.ts";
import { newId } from "./job.ts";
import { describeError, Run } from "./run.ts";
import { now, Trace } from "./trace.ts";

/** Receives rollouts as they start and finish (steps arrive through `run.trace.onStep`). */
export interface RolloutObserver {
  rolloutStarted?(run: Run): void | Promise<void>;
  rolloutFinished?(run: Run): void | Promise<void>;
}

export interface RolloutOptions {
  runtime: Placement;
  jobId?: string;
  groupId?: string;
  traceId?: string;
  repeat?: number;
  /** Seconds bounding everything: provisioning, agent, grading, verifier. */
  rolloutTimeout?: number;
  /** Cancels the rollout: the env task is cancelled and the run ends `cancelled`, ungraded. */
  signal?: AbortSignal;
  observer?: RolloutObserver;
  /** Options for connecting to each lease (a lease's `params.ready_timeout` wins). */
  connect?: ConnectOptions;
  /** Called once the task has started, just before the agent runs (not called when setup fails). */
  onLive?: () => void;
}

const CANCEL_BOUND_MS = 2_000;

/** The agent time limit: the row's `agent_config.timeout_seconds` over the agent's own. */
export function agentTimeoutFor(task: Task, agent: Agent): number | undefined {
  const fromRow = task.agent_config?.timeout_seconds;
  // As in the Python SDK, a row that sets the key decides, and an explicit null means no limit.
  if (fromRow === null) return undefined;
  if (fromRow !== undefined) return typeof fromRow === "number" ? fromRow : Number(fromRow);
  return agentConfig(agent).timeoutSeconds;
}

/** Check a row's timeouts before anything runs (a configuration error, not a rollout failure). */
export function validateTimeouts(task: Task, agent: Agent, rolloutTimeout: number | undefined): void {
  const agentTimeout = agentTimeoutFor(task, agent);
  const where = `task '${task.slug}'`;
  if (agentTimeout !== undefined && !(Number.isFinite(agentTimeout) && agentTimeout > 0)) {
    throw new HudError(
      `${where}: the agent timeout must be a positive number of seconds (got ${agentTimeout})`,
    );
  }
  const runLimit = task.runtime_config?.limits?.run_timeout_s;
  if (agentTimeout !== undefined && runLimit !== undefined && agentTimeout >= runLimit) {
    throw new HudError(
      `${where}: the agent timeout (${agentTimeout}s) must be below limits.run_timeout_s (${runLimit}s)`,
    );
  }
  if (rolloutTimeout === undefined) return;
  if (!(rolloutTimeout > 0))
    throw new HudError(`rolloutTimeout must be a positive number of seconds (got ${rolloutTimeout})`);
  if (agentTimeout !== undefined && agentTimeout >= rolloutTimeout) {
    throw new HudError(
      `${where}: the agent timeout (${agentTimeout}s) must be below the rollout timeout (${rolloutTimeout}s)`,
    );
  }
  for (const row of [task, task.verifier]) {
    const limits = row?.runtime_config?.limits;
    for (const key of ["startup_timeout_s", "run_timeout_s"] as const) {
      const value = limits?.[key];
      if (value !== undefined && value >= rolloutTimeout) {
        throw new HudError(
          `task '${row!.slug}': limits.${key} (${value}s) must be below the rollout timeout (${rolloutTimeout}s)`,
        );
      }
    }
  }
}

function seconds(t: number): string {
  return `${Number(t.toPrecision(6))}s`;
}

/** Run one rollout. Never throws for a rollout failure: the Run records it. */
export async function rollout(task: Task, agent: Agent, options: RolloutOptions): Promise<Run> {
  const run = new Run({
    task,
    trace: new Trace(options.traceId ?? newId()),
    jobId: options.jobId ?? newId(),
    groupId: options.groupId,
    repeat: options.repeat,
    model: agentConfig(agent).model,
  });
  if (options.observer?.rolloutStarted) await options.observer.rolloutStarted(run);
  try {
    await new Drive(task, agent, run, options).execute();
  } finally {
    if (options.observer?.rolloutFinished) await options.observer.rolloutFinished(run);
  }
  return run;
}

type Phase =
  | "provisioning"
  | "starting task"
  | "agent loop"
  | "grading"
  | "actor cleanup"
  | "provisioning verifier"
  | "verifying"
  | "cleanup";

/** Thrown into the driver when the rollout is interrupted (timeout, cancellation): it stops where it is. */
class Interrupted extends Error {}

/** The state of one rollout while it runs. */
class Drive {
  private phase: Phase = "provisioning";
  private live = false;
  private interrupted = false;
  private client: HudClient | undefined;
  /** Releases of what the driver holds (leases, connections), in acquisition order. */
  private held: (() => Promise<void>)[] = [];
  /** Set once the rollout is over: anything acquired later (an interrupted acquisition) is released on arrival. */
  private over = false;
  private readonly task: Task;
  private readonly agent: Agent;
  private readonly run: Run;
  private readonly options: RolloutOptions;

  constructor(task: Task, agent: Agent, run: Run, options: RolloutOptions) {
    this.task = task;
    this.agent = agent;
    this.run = run;
    this.options = options;
  }

  execute(): Promise<void> {
    const { rolloutTimeout, signal } = this.options;
    if (signal?.aborted) {
      this.run.trace.status = "cancelled";
      this.run.trace.record({ source: "system", error: "rollout cancelled before it started" });
      return Promise.resolve();
    }
    // Nothing can interrupt it: no race to set up.
    if (rolloutTimeout === undefined && !signal) return this.drive();
    return this.interruptible(rolloutTimeout, signal);
  }

  /** The drive raced against the rollout timeout and the cancellation signal. */
  private async interruptible(
    rolloutTimeout: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const interruption = new Promise<"timeout" | "cancelled">((resolve) => {
      if (rolloutTimeout !== undefined) timer = setTimeout(() => resolve("timeout"), rolloutTimeout * 1000);
      if (signal) {
        onAbort = () => resolve("cancelled");
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const outcome = await Promise.race([this.drive().then(() => "done" as const), interruption]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    if (outcome !== "done") await this.interrupt(outcome);
  }

  /** Provision, start, let the agent work, grade (or verify), release — recording failures in the Run. */
  private async drive(): Promise<void> {
    try {
      const lease = this.checked(await this.acquire(this.task));
      this.phase = "starting task";
      const client = this.checked(await this.connectTo(lease));
      this.run.runtime = lease.url;
      await this.start(client);
      this.live = true;
      this.options.onLive?.();
      // Workspace diffs after each tool step, and the agent's last changes before grading (never fails the run).
      const tracking = tracksFiles(this.run)
        ? this.checked(
            await this.hold(
              observeFileTracking(this.run, { onWarning: this.options.connect?.onWarning }),
              (observer) => observer.close(),
            ),
          )
        : undefined;
      const agentError = await this.agentLoop();
      if (tracking) this.checked(await tracking.finish());
      this.phase = "grading";
      if (this.task.verifier) await this.verify();
      else {
        await this.gradeActor(agentError !== undefined);
        if (agentError !== undefined) this.fail(agentError, "agent loop");
      }
    } catch (error) {
      if (this.interrupted) return;
      this.fail(error);
    }
    this.phase = "cleanup";
    this.over = true;
    await this.release();
  }

  /**
   * Every wait of the driver ends here: once the rollout is interrupted, whatever the wait brought is dropped
   * (`interrupt` settled the run and dropped the connection, so calls in flight fail soon) and the driver
   * stops. A wait that fails after the interruption stops it too: the catch blocks below check.
   */
  private checked<T>(value: T): T {
    if (this.interrupted) throw new Interrupted();
    return value;
  }

  /** Record a failure in the phase it happened: before the run is live, it never started. */
  private fail(error: unknown, phase: Phase = this.phase): void {
    this.run.recordFailure(`[${phase}] ${describeError(error)}`, { live: this.live });
  }

  /**
   * Acquire something to release later. What arrives after the rollout is over (its acquisition outlived an
   * interruption) is released at once.
   */
  private hold<T>(acquiring: Promise<T>, release: (value: T) => Promise<void>): Promise<T> {
    return acquiring.then((value) => {
      const releaseIt = () => release(value);
      if (this.over) void releaseQuietly(releaseIt);
      else this.held.push(releaseIt);
      return value;
    });
  }

  /** Release everything held, newest first, one at a time (a failure is a warning). */
  private async release(): Promise<void> {
    const held = this.held;
    this.held = [];
    this.client = undefined;
    for (let i = held.length - 1; i >= 0; i--) {
      try {
        await held[i]!();
      } catch (error) {
        warnRelease(error);
      }
    }
  }

  private acquire(task: Task): Promise<Lease> {
    const acquiring = (async () => this.options.runtime(task))();
    return this.hold(acquiring, async (lease) => {
      await lease[Symbol.asyncDispose]();
    });
  }

  private async connectTo(lease: Lease): Promise<HudClient> {
    const fromLease = lease.params?.ready_timeout;
    const readyTimeout = typeof fromLease === "number" ? fromLease : this.options.connect?.readyTimeout;
    const client = await this.hold(
      connect(lease.url, {
        ...this.options.connect,
        readyTimeout: readyTimeout ?? 120,
        helloMemo: helloMemoOf(lease.params),
      }),
      (client) => client.close(),
    );
    this.client = client;
    return client;
  }

  /** The actor's `tasks.start`, recorded on the run. */
  private async start(client: HudClient): Promise<void> {
    const args = { ...this.task.args };
    const startedAt = now();
    const frame = this.checked(await client.startTask(this.task.id, args));
    this.run.client = client;
    this.run.recordStart(frame, args, startedAt);
  }

  /** The agent, bounded by its timeout; returns the agent's error when grading should still happen. */
  private async agentLoop(): Promise<unknown> {
    this.phase = "agent loop";
    const timeout = agentTimeoutFor(this.task, this.agent);
    let timer: NodeJS.Timeout | undefined;
    try {
      // Without a time limit there is nothing to race (and nothing extra to keep while the agent works).
      let outcome: "finished" | "expired" = "finished";
      if (timeout === undefined) await invokeAgent(this.agent, this.run);
      else {
        outcome = await Promise.race([
          (async () => invokeAgent(this.agent, this.run))().then(() => "finished" as const),
          new Promise<"expired">((resolve) => {
            timer = setTimeout(() => resolve("expired"), timeout * 1000);
          }),
        ]);
      }
      this.checked(outcome);
      if (outcome === "expired") {
        const message = `agent timed out after ${seconds(timeout!)}`;
        this.run.abort(message);
        this.run.trace.status = "error";
        this.run.trace.stop_reason = "timeout";
        this.run.trace.record({ source: "system", error: message });
      }
      return undefined;
    } catch (error) {
      if (this.interrupted) throw new Interrupted();
      // With a verifier the agent's failure is recorded and the verifier still decides.
      if (!this.task.verifier) return error;
      this.fail(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `tasks.grade` with the trace's answer. A grading failure after the agent failed is recorded as an errored
   * zero (the agent's error is the one reported); otherwise it is the rollout's failure.
   */
  private async gradeActor(agentFailed: boolean, bestEffort = agentFailed): Promise<void> {
    if (agentFailed) this.run.trace.status = "error";
    const answer = this.run.trace.content ?? null;
    const startedAt = now();
    try {
      const frame = this.checked(await this.client!.grade({ answer }));
      this.run.recordGrade(this.task.id, { answer }, frame, startedAt);
    } catch (error) {
      if (this.interrupted) throw new Interrupted();
      if (!bestEffort) throw error;
      this.run.recordGradingFailure(error, answer);
    }
  }

  /** Grade the actor (best effort), then let the verifier task decide the reward. */
  private async verify(): Promise<void> {
    const verifier = this.task.verifier!;
    await this.gradeActor(false, true);
    const actorResult = this.run.grade.raw;
    this.run.grade = new Grade();
    const shared = verifier.env === this.task.env && verifier.runtime_config === undefined;
    let client = this.client!;
    if (!shared) {
      this.phase = "actor cleanup";
      this.checked(await this.release());
      this.phase = "provisioning verifier";
      const lease = this.checked(await this.acquire(verifier));
      client = this.checked(await this.connectTo(lease));
    }
    this.phase = "verifying";
    const args = { ...verifier.args };
    let startedAt = now();
    const started = this.checked(await client.startTask(verifier.id, args));
    this.run.recordSetup(verifier.id, args, started, startedAt);
    const payload = { answer: actorResult };
    startedAt = now();
    const frame = this.checked(await client.grade(payload));
    this.run.recordGrade(verifier.id, payload, frame, startedAt);
  }

  /** Timeout or cancellation: stop the driver, cancel the env task (bounded), drop the connection, record. */
  private async interrupt(kind: "timeout" | "cancelled"): Promise<void> {
    this.interrupted = true;
    this.over = true;
    const trace = this.run.trace;
    if (kind === "timeout") trace.stop_reason = "timeout";
    this.run.abort(kind === "timeout" ? "rollout timed out" : "rollout cancelled");
    const client = this.client;
    // A call in flight (e.g. a long grade) would hold tasks.cancel behind it: dropping the connection is
    // what tells the server then (it aborts the template's signal and parks or cancels the task).
    if (client && !client.busy) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.cancel().catch(() => {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CANCEL_BOUND_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    client?.abort();
    if (kind === "cancelled") {
      trace.status = "cancelled";
      trace.record({ source: "system", error: `rollout cancelled during ${this.phase}` });
    } else {
      const detail = `rollout timed out after ${seconds(this.options.rolloutTimeout!)} during ${this.phase}`;
      this.run.recordFailure(detail, { live: this.live });
    }
    // Teardown goes on in the background: a stuck lease must not hold the rollout past its deadline.
    void this.release();
  }
}

async function releaseQuietly(release: () => Promise<void>): Promise<void> {
  try {
    await release();
  } catch (error) {
    warnRelease(error);
  }
}

function warnRelease(error: unknown): void {
  process.emitWarning(`releasing a rollout's environment failed: ${describeError(error)}`);
}
