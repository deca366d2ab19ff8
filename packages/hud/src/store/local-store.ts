// LocalStore: jobs, traces and steps in SQLite under $HUD_HOME, written through as a job runs, read back by the CLI.
import { mkdirSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { isCounted, Job, newId } from "../eval/job.ts";
import type { Run } from "../eval/run.ts";
import type { JobObserver, PlannedRollout } from "../eval/schedule.ts";
import type { Step, Trace } from "../eval/trace.ts";
import { now } from "../eval/trace.ts";
import { errorMessage, HudError } from "../protocol/errors.ts";
import { Database } from "./database.ts";
import type { JobDetail, JobMeta, JobRecord, JobSummary, StoredTrace, TraceSummary } from "./records.ts";
import {
  JOB_COLUMNS,
  type JobRow,
  jobRecord,
  storedRun,
  storedTrace,
  type TraceRow,
  traceSummary,
} from "./rows.ts";
import { traceTotals } from "./totals.ts";

export const DATABASE_FILE = "hud.db";
const DEFAULT_LIST_LIMIT = 20;
const SHOWN_CANDIDATES = 10;
const INTERRUPTED_ERROR = "rollout interrupted: its process stopped before it finished";

const INSERT_STEP =
  "INSERT INTO steps (trace_id, step_id, source, payload, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)";

/** The directory the store lives in: the argument, else $HUD_HOME, else ~/.hud. */
export function hudHome(home?: string): string {
  return home || process.env.HUD_HOME || join(homedir(), ".hud");
}

/** A rollout this store is writing: its step subscription and how many of its steps are stored. */
interface LiveTrace {
  trace: Trace;
  jobId: string;
  written: number;
  unsubscribe: () => void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `*`, `?` and `[` are GLOB syntax; a bracketed character matches itself. */
function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

function finishedStatus(run: Run): boolean {
  return run.trace.status === "completed" || run.trace.status === "error";
}

export interface CostHistory {
  bySlug: Map<string, { rollouts: number; meanUsd: number }>;
  /** Rollouts behind the figures, and their mean cost (undefined without any). */
  rollouts: number;
  meanUsd: number | undefined;
}

export class LocalStore implements JobObserver, Disposable {
  readonly home: string;
  readonly path: string;
  private readonly db: Database;
  private readonly live = new Map<string, LiveTrace>();
  private readonly pendingMeta = new Map<string, JobMeta>();
  /** Jobs this store created for rollouts run without a job (finished with their rollout). */
  private readonly implicitJobs = new Set<string>();

  private constructor(home: string) {
    this.home = home;
    this.path = join(home, DATABASE_FILE);
    this.db = new Database(this.path);
  }

  /** Open (creating if needed) the store in `home`, default $HUD_HOME or ~/.hud. */
  static open(home?: string): LocalStore {
    const dir = hudHome(home);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new HudError(
        `cannot create the hud home directory ${dir}: ${errorMessage(error)} (set HUD_HOME to a writable directory)`,
        { cause: error },
      );
    }
    return new LocalStore(dir);
  }

  close(): void {
    for (const state of this.live.values()) state.unsubscribe();
    this.live.clear();
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // --- writing, as a JobObserver -------------------------------------------------------------------

  /** Record how the job was started (CLI); applied when the job row exists. */
  setJobMeta(jobId: string, meta: JobMeta): void {
    this.ensureOpen();
    const changed = this.db.run(
      `UPDATE jobs SET source = coalesce(?, source), agent = coalesce(?, agent), model = coalesce(?, model),
        config = coalesce(?, config), updated_at = ? WHERE id = ?`,
      meta.source ?? null,
      meta.agent ?? null,
      meta.model ?? null,
      meta.config === undefined ? null : JSON.stringify(meta.config),
      now(),
      jobId,
    );
    if (changed === 0) this.pendingMeta.set(jobId, { ...this.pendingMeta.get(jobId), ...meta });
  }

  jobStarted(job: Job, plan: PlannedRollout[]): void {
    this.ensureOpen();
    const meta = this.pendingMeta.get(job.id) ?? {};
    this.pendingMeta.delete(job.id);
    const at = now();
    const planned = job.runs.filter(finishedStatus).length + plan.length;
    this.db.run(
      `INSERT INTO jobs (id, name, group_size, taskset_id, status, source, agent, model, config, planned, pid, host,
          created_at, updated_at)
        VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET status = 'running', planned = excluded.planned, pid = excluded.pid,
          host = excluded.host, updated_at = excluded.updated_at, source = coalesce(excluded.source, source),
          agent = coalesce(excluded.agent, agent), model = coalesce(excluded.model, model),
          config = coalesce(excluded.config, config)`,
      job.id,
      job.name,
      job.group,
      job.taskset_id ?? null,
      meta.source ?? null,
      meta.agent ?? null,
      meta.model ?? null,
      meta.config === undefined ? null : JSON.stringify(meta.config),
      planned,
      process.pid,
      hostname(),
      at,
      at,
    );
  }

  rolloutStarted(run: Run): void {
    this.ensureOpen();
    const trace = run.trace;
    trace.trace_id ??= newId();
    const traceId = trace.trace_id;
    const jobId = run.job_id;
    if (!jobId)
      throw new HudError(`rollout ${traceId} has no job id; run it through Taskset.run or rollout()`);
    const state: LiveTrace = { trace, jobId, written: 0, unsubscribe: () => {} };
    this.db.transaction(() => {
      this.ensureJob(jobId, run);
      this.db.run(
        `INSERT INTO traces (trace_id, job_id, slug, task, repeat, group_id, model, status, started_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
        traceId,
        jobId,
        run.slug,
        JSON.stringify(run.task),
        run.repeat,
        run.group_id ?? null,
        run.model ?? null,
        now(),
      );
      this.writeSteps(state);
    });
    state.unsubscribe = trace.onStep(() => this.writeSteps(state));
    this.live.set(traceId, state);
  }

  rolloutFinished(run: Run): void {
    this.ensureOpen();
    const trace = run.trace;
    let state = trace.trace_id === undefined ? undefined : this.live.get(trace.trace_id);
    if (!state) {
      // Finished without having been seen starting (observer attached late): store it whole.
      this.rolloutStarted(run);
      state = this.live.get(trace.trace_id!)!;
    }
    state.unsubscribe();
    this.live.delete(trace.trace_id!);
    const totals = traceTotals(trace.steps);
    const graded = Object.keys(run.grade.raw).length > 0;
    const status = trace.status ?? "completed";
    const at = now();
    this.db.transaction(() => {
      this.writeSteps(state);
      this.db.run(
        `UPDATE traces SET status = ?, stop_reason = ?, reward = ?, counted = ?, grade = ?, content = ?, error = ?,
          prompt = ?, runtime = ?, extra = ?, prompt_tokens = ?, completion_tokens = ?, cached_tokens = ?,
          cost_usd = ?, llm_call_count = ?, ended_at = ?
          WHERE trace_id = ?`,
        status,
        trace.stop_reason ?? null,
        graded ? run.reward : null,
        isCounted(run) ? 1 : 0,
        JSON.stringify(run.grade.raw),
        trace.content ?? null,
        trace.error ?? null,
        run.prompt === null ? null : run.promptText,
        run.runtime ?? null,
        Object.keys(trace.extra).length > 0 ? JSON.stringify(trace.extra) : null,
        totals.prompt_tokens,
        totals.completion_tokens,
        totals.cached_tokens,
        totals.cost_usd,
        totals.llm_call_count,
        at,
        trace.trace_id!,
      );
      if (this.implicitJobs.delete(state.jobId)) {
        this.db.run(
          "UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?",
          status === "cancelled" ? "cancelled" : "completed",
          at,
          state.jobId,
        );
      }
    });
  }

  /** Completed, or cancelled when some planned rollout did not finish (cancelled, or never started). */
  jobFinished(job: Job): void {
    this.ensureOpen();
    this.db.run(
      `UPDATE jobs SET updated_at = ?, status = CASE
          WHEN (SELECT count(*) FROM traces t WHERE t.job_id = jobs.id AND t.status IN ('completed', 'error')) < planned
          THEN 'cancelled' ELSE 'completed' END
        WHERE id = ?`,
      now(),
      job.id,
    );
  }

  /** A rollout started without jobStarted (e.g. `rollout()` alone) gets a job of its own, as in the reference. */
  private ensureJob(jobId: string, run: Run): void {
    const at = now();
    const created = this.db.run(
      `INSERT OR IGNORE INTO jobs (id, name, group_size, status, planned, pid, host, created_at, updated_at)
        VALUES (?, ?, 1, 'running', 1, ?, ?, ?, ?)`,
      jobId,
      run.task_id,
      process.pid,
      hostname(),
      at,
      at,
    );
    if (created > 0) this.implicitJobs.add(jobId);
  }

  /** Store every recorded step not stored yet (a failed write is retried with the next step). */
  private writeSteps(state: LiveTrace): void {
    const steps = state.trace.steps;
    const insert = this.db.statement(INSERT_STEP);
    while (state.written < steps.length) {
      const step: Step = steps[state.written]!;
      insert.run(
        state.trace.trace_id!,
        step.step_id,
        step.source,
        JSON.stringify(step),
        step.started_at ?? null,
        step.ended_at ?? null,
      );
      state.written++;
    }
  }

  // --- reading ------------------------------------------------------------------------------------

  /** Jobs, newest first (default 20). */
  listJobs(options: { limit?: number } = {}): JobSummary[] {
    this.ensureOpen();
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new HudError(`limit must be a whole number ≥ 1 (got ${limit})`);
    }
    this.reconcile();
    const rows = this.db.all<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs j ORDER BY j.created_at DESC, j.rowid DESC LIMIT ?`,
      limit,
    );
    return rows.map((row) => {
      const { id, name, status, runs, reward, tokens, cost_usd, created_at, source, agent, model } =
        jobRecord(row);
      return { id, name, status, runs, reward, tokens, cost_usd, created_at, source, agent, model };
    });
  }

  /**
   * What rollouts of `model` cost so far, per task slug: finished rollouts that made priced model calls. The basis
   * of `hud eval --dry-run`'s estimate.
   */
  costHistory(model: string): CostHistory {
    this.ensureOpen();
    const rows = this.db.all<{ slug: string; rollouts: number; cost: number }>(
      `SELECT slug, COUNT(*) AS rollouts, SUM(cost_usd) AS cost FROM traces
       WHERE model = ? AND status IN ('completed', 'error') AND llm_call_count > 0 AND cost_usd > 0
       GROUP BY slug`,
      model,
    );
    const bySlug = new Map(rows.map((r) => [r.slug, { rollouts: r.rollouts, meanUsd: r.cost / r.rollouts }]));
    const rollouts = rows.reduce((n, r) => n + r.rollouts, 0);
    const cost = rows.reduce((n, r) => n + r.cost, 0);
    return { bySlug, rollouts, meanUsd: rollouts > 0 ? cost / rollouts : undefined };
  }

  /** The full job id for a unique prefix (a dashed uuid works too). */
  resolveJobId(prefix: string): string {
    return this.resolve("jobs", "id", "job", prefix, "list jobs with: hud jobs");
  }

  resolveTraceId(prefix: string): string {
    return this.resolve("traces", "trace_id", "trace", prefix, "list a job's traces with: hud jobs <job-id>");
  }

  /** A job (id or unique prefix) and its traces in the order they started. */
  jobDetail(id: string): JobDetail {
    const jobId = this.resolveJobId(id);
    this.reconcile();
    return { job: this.jobRecord(jobId), traces: this.traceSummaries(jobId) };
  }

  /** A stored trace (id or unique prefix) with its steps. */
  trace(id: string): StoredTrace {
    const traceId = this.resolveTraceId(id);
    this.reconcile();
    const row = this.db.get<TraceRow>("SELECT * FROM traces WHERE trace_id = ?", traceId)!;
    const steps = this.db
      .all<{ payload: string }>("SELECT payload FROM steps WHERE trace_id = ? ORDER BY step_id", traceId)
      .map((r) => JSON.parse(r.payload) as Step);
    return storedTrace(row, steps);
  }

  /**
   * The job (id or unique prefix) as an eval Job holding a Run for every finished rollout, ready to resume:
   * `Taskset.run(agent, { job, observer: store })` then runs only the missing (task, repeat) pairs. Rollouts
   * left running by a process that died are marked interrupted first (and re-run by the resume).
   */
  loadJob(id: string): Job {
    const jobId = this.resolveJobId(id);
    const owner = this.db.get<{ status: string; pid: number | null; host: string | null }>(
      "SELECT status, pid, host FROM jobs WHERE id = ?",
      jobId,
    )!;
    if (
      owner.status === "running" &&
      owner.pid !== null &&
      owner.pid !== process.pid &&
      owner.host === hostname() &&
      processAlive(owner.pid)
    ) {
      throw new HudError(
        `job ${jobId} is still running in process ${owner.pid}; wait for it to finish or stop that process before resuming`,
      );
    }
    if ([...this.live.values()].some((state) => state.jobId === jobId)) {
      throw new HudError(`job ${jobId} has rollouts running in this process; resume it after they finish`);
    }
    this.markInterrupted(jobId);
    const record = this.jobRecord(jobId);
    const rows = this.db.all<TraceRow>(
      `SELECT * FROM traces WHERE job_id = ? AND status IN ('completed', 'error') ORDER BY started_at, rowid`,
      jobId,
    );
    return new Job({
      id: record.id,
      name: record.name,
      group: record.group,
      taskset_id: record.taskset_id ?? undefined,
      runs: rows.map(storedRun),
    });
  }

  private jobRecord(jobId: string): JobRecord {
    return jobRecord(this.db.get<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = ?`, jobId)!);
  }

  private traceSummaries(jobId: string): TraceSummary[] {
    return this.db
      .all<TraceRow>(
        `SELECT trace_id, slug, group_id, repeat, status, stop_reason, reward, started_at, ended_at, error,
          prompt_tokens, completion_tokens, cost_usd
          FROM traces WHERE job_id = ? ORDER BY started_at, rowid`,
        jobId,
      )
      .map(traceSummary);
  }

  private resolve(table: string, column: string, kind: string, prefix: string, hint: string): string {
    this.ensureOpen();
    const given = typeof prefix === "string" ? prefix.trim() : "";
    if (given === "") throw new HudError(`a ${kind} id is required (${hint})`);
    const attempts = given.includes("-") ? [given, given.replaceAll("-", "")] : [given];
    for (const attempt of attempts) {
      if (this.db.get(`SELECT 1 FROM ${table} WHERE ${column} = ?`, attempt)) return attempt;
      const matches = this.db
        .all<{ id: string }>(
          `SELECT ${column} AS id FROM ${table} WHERE ${column} GLOB ? ORDER BY ${column} LIMIT ?`,
          globPrefix(attempt),
          SHOWN_CANDIDATES + 1,
        )
        .map((row) => row.id);
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        const shown = matches.slice(0, SHOWN_CANDIDATES).join(", ");
        const more = matches.length > SHOWN_CANDIDATES ? ", …" : "";
        throw new HudError(
          `${kind} id '${given}' is ambiguous: it matches ${shown}${more}; give more characters`,
        );
      }
    }
    throw new HudError(`no ${kind} '${given}' in the local store ${this.path} (${hint})`);
  }

  /** Jobs marked running by a process on this host that no longer exists were interrupted. */
  private reconcile(): void {
    const orphans = this.db.all<{ id: string; pid: number }>(
      "SELECT id, pid FROM jobs WHERE status = 'running' AND host = ? AND pid IS NOT NULL AND pid != ?",
      hostname(),
      process.pid,
    );
    for (const job of orphans) if (!processAlive(job.pid)) this.markInterrupted(job.id);
  }

  /** Rollouts still `running` were cut off: mark them (and a running job) interrupted, ending at their last step. */
  private markInterrupted(jobId: string): void {
    const at = now();
    this.db.transaction(() => {
      this.db.run(
        `UPDATE traces SET status = 'interrupted', error = coalesce(error, ?),
          ended_at = coalesce((SELECT max(s.ended_at) FROM steps s WHERE s.trace_id = traces.trace_id), started_at)
          WHERE job_id = ? AND status = 'running'`,
        INTERRUPTED_ERROR,
        jobId,
      );
      this.db.run(
        "UPDATE jobs SET status = 'interrupted', updated_at = ? WHERE id = ? AND status = 'running'",
        at,
        jobId,
      );
    });
  }

  private ensureOpen(): void {
    if (!this.db.isOpen) throw new HudError(`the local store ${this.path} is closed`);
  }
}
