// Reading stored rows back: job records, trace summaries, stored traces, and Runs rebuilt for resuming.
import { Task, type TaskRow } from "../environment/task.ts";
import { Grade } from "../eval/grade.ts";
import { Run } from "../eval/run.ts";
import { type Step, type StopReason, Trace, type TraceStatus } from "../eval/trace.ts";
import { HudError } from "../protocol/errors.ts";
import type { JsonObject } from "../protocol/jsonrpc.ts";
import type { JobRecord, JobStatus, StoredTrace, StoredTraceStatus, TraceSummary } from "./records.ts";

export interface JobRow {
  id: string;
  name: string;
  group_size: number;
  taskset_id: string | null;
  status: JobStatus;
  source: string | null;
  agent: string | null;
  model: string | null;
  config: string | null;
  planned: number;
  created_at: string;
  updated_at: string;
  runs: number;
  reward: number;
  tokens: number;
  cost_usd: number;
}

export interface TraceRow {
  trace_id: string;
  job_id: string;
  slug: string;
  task: string;
  repeat: number;
  group_id: string | null;
  model: string | null;
  status: StoredTraceStatus;
  stop_reason: StopReason | null;
  reward: number | null;
  grade: string | null;
  content: string | null;
  error: string | null;
  prompt: string | null;
  runtime: string | null;
  extra: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  llm_call_count: number;
  started_at: string;
  ended_at: string | null;
}

/** The job columns with its run count and reward (finished traces; reward by the Job.reward rule). */
export const JOB_COLUMNS = `j.id, j.name, j.group_size, j.taskset_id, j.status, j.source, j.agent, j.model, j.config,
  j.planned, j.created_at, j.updated_at,
  (SELECT count(*) FROM traces t WHERE t.job_id = j.id AND t.status IN ('completed', 'error')) AS runs,
  (SELECT coalesce(avg(coalesce(t.reward, 0)), 0) FROM traces t
    WHERE t.job_id = j.id AND t.status IN ('completed', 'error') AND t.counted = 1) AS reward,
  (SELECT coalesce(sum(t.prompt_tokens + t.completion_tokens), 0) FROM traces t WHERE t.job_id = j.id) AS tokens,
  (SELECT coalesce(sum(t.cost_usd), 0) FROM traces t WHERE t.job_id = j.id) AS cost_usd`;

function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function jobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    runs: row.runs,
    reward: row.reward,
    tokens: row.tokens,
    cost_usd: row.cost_usd,
    created_at: row.created_at,
    source: row.source,
    agent: row.agent,
    model: row.model,
    group: row.group_size,
    taskset_id: row.taskset_id,
    planned: row.planned,
    config: json<JsonObject>(row.config),
    updated_at: row.updated_at,
  };
}

function durationSeconds(start: string, end: string | null): number | null {
  if (end === null) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

export function traceSummary(
  row: Pick<TraceRow, (keyof TraceSummary & keyof TraceRow) | "prompt_tokens" | "completion_tokens">,
): TraceSummary {
  return {
    trace_id: row.trace_id,
    slug: row.slug,
    group_id: row.group_id,
    repeat: row.repeat,
    status: row.status,
    stop_reason: row.stop_reason,
    reward: row.reward,
    started_at: row.started_at,
    ended_at: row.ended_at,
    error: row.error,
    duration_s: durationSeconds(row.started_at, row.ended_at),
    tokens: row.prompt_tokens + row.completion_tokens,
    cost_usd: row.cost_usd,
  };
}

export function storedTrace(row: TraceRow, steps: Step[]): StoredTrace {
  const trace: StoredTrace = {
    trace_id: row.trace_id,
    job_id: row.job_id,
    slug: row.slug,
    task: JSON.parse(row.task) as TaskRow,
    repeat: row.repeat,
    group_id: row.group_id,
    model: row.model,
    status: row.status,
    reward: row.reward,
    grade: json<JsonObject>(row.grade) ?? {},
    error: row.error,
    prompt: row.prompt,
    runtime: row.runtime,
    started_at: row.started_at,
    ended_at: row.ended_at,
    totals: {
      prompt_tokens: row.prompt_tokens,
      completion_tokens: row.completion_tokens,
      cached_tokens: row.cached_tokens,
      cost_usd: row.cost_usd,
      llm_call_count: row.llm_call_count,
    },
    steps,
    extra: json<Record<string, unknown>>(row.extra) ?? {},
  };
  if (row.stop_reason !== null) trace.stop_reason = row.stop_reason;
  if (row.content !== null) trace.content = row.content;
  return trace;
}

function storedGrade(raw: JsonObject, reward: number | null): Grade {
  if (Object.keys(raw).length === 0) return new Grade();
  try {
    return Grade.fromFrame(raw);
  } catch {
    return new Grade({ raw, reward: reward ?? 0, isError: Boolean(raw.isError) });
  }
}

/** A finished rollout as a Run: its row, outcome and grade (not its steps — read those with `trace(id)`). */
export function storedRun(row: TraceRow): Run {
  let task: Task;
  try {
    task = Task.fromJSON(JSON.parse(row.task));
  } catch (error) {
    throw new HudError(
      `stored trace ${row.trace_id} has an unreadable task row: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const trace = new Trace(row.trace_id);
  trace.status = row.status as TraceStatus;
  trace.stop_reason = row.stop_reason ?? undefined;
  trace.content = row.content ?? undefined;
  trace.extra = json<Record<string, unknown>>(row.extra) ?? {};
  const run = new Run({
    task,
    trace,
    jobId: row.job_id,
    groupId: row.group_id ?? undefined,
    repeat: row.repeat,
    model: row.model ?? undefined,
  });
  run.grade = storedGrade(json<JsonObject>(row.grade) ?? {}, row.reward);
  run.runtime = row.runtime ?? undefined;
  run.prompt = row.prompt;
  return run;
}
