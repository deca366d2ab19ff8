// rollout: one task, one agent, one environment lease — phases, failure isolation, timeouts, verifiers.
import { type ConnectOptions, connect, type HudClient } from "../client/client.ts";
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import type { Lease, Placement } from "../runtime/placement.ts";
import { type Agent, agentConfig, invokeAgent } from "./agent.ts";
import { Grade } from "./grade.ts";
import { newId } from "./job.ts";
import { describeError, Run } from "./run.ts";
import { Trace } from "./trace.ts";

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
}

const CANCEL_BOUND_MS = 2_000;

/** The agent time limit: the row's `agent_config.timeout_seconds` over the agent's own. */
export function agentTimeoutFor(task: Task, agent: Agent): number | undefined {
  const fromRow = task.agent_config?.timeout_seconds;
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

class Timeout extends Error {}

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
  await options.observer?.rolloutStarted?.(run);
  const drive = new Drive(task, agent, run, options);
  try {
    await drive.execute();
  } finally {
    await options.observer?.rolloutFinished?.(drive.run);
  }
  return drive.run;
}

/** The state of one rollout while it runs. */
class Drive {
  phase = "provisioning";
  run: Run;
  private live = false;
  private client: HudClient | undefined;
  private leases: Lease[] = [];
  private readonly task: Task;
  private readonly agent: Agent;
  private readonly options: RolloutOptions;

  constructor(task: Task, agent: Agent, run: Run, options: RolloutOptions) {
    this.task = task;
    this.agent = agent;
    this.run = run;
    this.options = options;
  }

  async execute(): Promise<void> {
    const { rolloutTimeout, signal } = this.options;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<"timeout" | "cancelled">((resolve) => {
      if (rolloutTimeout !== undefined) timer = setTimeout(() => resolve("timeout"), rolloutTimeout * 1000);
      if (signal) {
        onAbort = () => resolve("cancelled");
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const work = this.drive();
    const outcome = await Promise.race([work.then(() => "done" as const), interrupted]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    if (outcome === "done") {
      await this.releaseAll();
      return;
    }
    await this.interrupt(outcome);
    // The driver unwinds once its connection is gone; teardown continues in the background.
    void work.finally(() => this.releaseAll());
  }

  private async drive(): Promise<void> {
    try {
      const lease = await this.acquire(this.task);
      this.checkpoint();
      this.phase = "starting task";
      this.client = await this.connectTo(lease);
      this.checkpoint();
      this.run.runtime = lease.url;
      await this.run.enter(this.client);
      this.checkpoint();
      this.live = true;
      const agentError = await this.agentLoop();
      this.phase = "grading";
      if (this.task.verifier) await this.verify(agentError);
      else {
        await this.run.gradeAnswer({
          bestEffort: agentError !== undefined,
          failed: agentError !== undefined,
        });
        if (agentError !== undefined) this.failWith(`[agent loop] ${describeError(agentError)}`);
      }
    } catch (error) {
      if (this.interrupted) return;
      this.fail(error);
    }
  }

  private interrupted = false;

  /** After an interruption the driver must not go on to the next phase. */
  private checkpoint(): void {
    if (this.interrupted) throw new HudError("rollout interrupted");
  }

  /** Record a failure in the phase it happened: before the run is live it becomes a failed Run. */
  private fail(error: unknown): void {
    this.failWith(`[${this.phase}] ${describeError(error)}`);
  }

  private failWith(detail: string): void {
    if (!this.live) {
      this.run = Run.failed(this.task, detail, {
        trace: this.run.trace,
        jobId: this.run.job_id,
        groupId: this.run.group_id,
        repeat: this.run.repeat,
        model: this.run.model,
      });
      return;
    }
    this.run.trace.status = "error";
    this.run.trace.record({ source: "system", error: detail });
  }

  /** The agent, bounded by its timeout; returns the agent's error when grading should still happen. */
  private async agentLoop(): Promise<unknown> {
    this.phase = "agent loop";
    const timeout = agentTimeoutFor(this.task, this.agent);
    let timer: NodeJS.Timeout | undefined;
    const expired =
      timeout === undefined
        ? new Promise<never>(() => {})
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Timeout()), timeout * 1000);
          });
    try {
      await Promise.race([invokeAgent(this.agent, this.run), expired]);
      return undefined;
    } catch (error) {
      if (error instanceof Timeout) {
        const message = `agent timed out after ${seconds(timeout!)}`;
        this.run.abort(message);
        this.run.trace.status = "error";
        this.run.trace.stop_reason = "timeout";
        this.run.trace.record({ source: "system", error: message });
        return undefined;
      }
      if (this.task.verifier) {
        this.run.trace.status = "error";
        this.run.trace.record({ source: "system", error: `[agent loop] ${describeError(error)}` });
        return undefined;
      }
      return error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Grade the actor, then let the verifier task decide the reward. */
  private async verify(agentError: unknown): Promise<void> {
    const verifier = this.task.verifier!;
    await this.run.gradeAnswer({ bestEffort: true, failed: agentError !== undefined });
    const actorResult = this.run.grade.raw;
    this.run.grade = new Grade();
    const shared = verifier.env === this.task.env && verifier.runtime_config === undefined;
    let client = this.client!;
    if (!shared) {
      this.phase = "actor cleanup";
      await this.releaseAll();
      this.checkpoint();
      this.phase = "provisioning verifier";
      client = await this.connectTo(await this.acquire(verifier));
      this.checkpoint();
    }
    this.phase = "verifying";
    const args = { ...verifier.args };
    const frame = await client.startTask(verifier.id, args);
    this.run.trace.record({
      source: "task",
      task_call: { phase: "setup", name: verifier.id, arguments: args, result: frame },
    });
    const payload = { answer: actorResult };
    const result = await client.grade(payload);
    this.run.grade = Grade.fromFrame(result);
    this.run.trace.record({
      source: "task",
      task_call: { phase: "evaluate", name: verifier.id, arguments: payload, result },
      error: this.run.grade.isError ? (this.run.grade.content ?? "grade reported an error") : undefined,
    });
    this.run.trace.status ??= "completed";
  }

  private async acquire(task: Task): Promise<Lease> {
    const lease = await this.options.runtime(task);
    this.leases.push(lease);
    return lease;
  }

  private async connectTo(lease: Lease): Promise<HudClient> {
    const fromLease = lease.params?.ready_timeout;
    const client = await connect(lease.url, {
      readyTimeout: typeof fromLease === "number" ? fromLease : 120,
      ...this.options.connect,
    });
    this.client = client;
    return client;
  }

  /** Timeout or cancellation: cancel the env task (bounded), drop the connection, record the outcome. */
  private async interrupt(kind: "timeout" | "cancelled"): Promise<void> {
    this.interrupted = true;
    const trace = this.run.trace;
    if (kind === "timeout") trace.stop_reason = "timeout";
    this.run.abort(kind === "timeout" ? "rollout timed out" : "rollout cancelled");
    const client = this.client;
    if (client) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.cancel().catch(() => {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CANCEL_BOUND_MS);
        }),
      ]);
      clearTimeout(timer);
      client.abort();
    }
    if (kind === "cancelled") {
      trace.status = "cancelled";
      trace.record({ source: "system", error: `rollout cancelled during ${this.phase}` });
      return;
    }
    const detail = `rollout timed out after ${seconds(this.options.rolloutTimeout!)} during ${this.phase}`;
    this.run.grade = new Grade();
    this.failWith(detail);
  }

  private async releaseAll(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
    const leases = this.leases.splice(0);
    for (const lease of leases.reverse()) {
      try {
        await lease[Symbol.asyncDispose]();
      } catch (error) {
        process.emitWarning(`releasing ${lease.url} failed: ${describeError(error)}`);
      }
    }
  }
}
