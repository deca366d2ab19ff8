// The shapes the local store returns: job and trace summaries (what `hud jobs --json` prints) and stored traces.
import type { TaskRow } from "../environment/task.ts";
import type { StopReason, TraceData } from "../eval/trace.ts";
import type { JsonObject } from "../protocol/jsonrpc.ts";

/** A job's state: `interrupted` when its process died with rollouts in flight. */
export type JobStatus = "running" | "completed" | "error" | "cancelled" | "interrupted";

/** A stored trace's state: the Trace statuses, plus `running` (in flight) and `interrupted` (its process died). */
export type StoredTraceStatus = "running" | "completed" | "error" | "cancelled" | "interrupted";

/** What the CLI records about how a job was started. */
export interface JobMeta {
  /** The taskset source (file path or platform name). */
  source?: string;
  /** The agent's name. */
  agent?: string;
  model?: string;
  config?: JsonObject;
}

/** One line of `hud jobs --json`, newest first. */
export interface JobSummary {
  id: string;
  name: string;
  status: JobStatus;
  /** Finished rollouts (completed or error). */
  runs: number;
  /** Mean reward by the Job.reward rule (0 when nothing counts). */
  reward: number;
  /** Model tokens (input + output) and dollars over every rollout (0 when none reported usage or prices). */
  tokens: number;
  cost_usd: number;
  created_at: string;
  source: string | null;
  agent: string | null;
  model: string | null;
}

export interface JobRecord extends JobSummary {
  group: number;
  taskset_id: string | null;
  /** (task, repeat) pairs the job covers, as of its latest start. */
  planned: number;
  config: JsonObject | null;
  updated_at: string;
}

/** One trace of a job as `hud jobs <id> --json` lists it. */
export interface TraceSummary {
  trace_id: string;
  slug: string;
  group_id: string | null;
  repeat: number;
  status: StoredTraceStatus;
  stop_reason: StopReason | null;
  /** null when the rollout was never graded. */
  reward: number | null;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  duration_s: number | null;
  tokens: number;
  cost_usd: number;
}

export interface JobDetail {
  job: JobRecord;
  traces: TraceSummary[];
}

export interface TraceTotals {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  llm_call_count: number;
}

/** A stored trace with its steps: the TraceData shape plus where it belongs and how it ended. */
export interface StoredTrace extends Omit<TraceData, "status" | "stop_reason" | "content" | "trace_id"> {
  trace_id: string;
  job_id: string;
  slug: string;
  task: TaskRow;
  repeat: number;
  group_id: string | null;
  model: string | null;
  status: StoredTraceStatus;
  stop_reason?: StopReason;
  content?: string;
  reward: number | null;
  /** The grade frame as received ({} when ungraded). */
  grade: JsonObject;
  error: string | null;
  prompt: string | null;
  runtime: string | null;
  started_at: string;
  ended_at: string | null;
  totals: TraceTotals;
}
