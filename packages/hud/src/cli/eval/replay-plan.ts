// `hud eval <source> replay --trace <id> | --job <id>`: which rows to run and which stored trace each replays.
import { type ReplayReport, replay } from "../../agents/builtin/replay.ts";
import type { Task } from "../../environment/task.ts";
import type { Agent } from "../../eval/agent.ts";
import type { Job } from "../../eval/job.ts";
import type { LocalStore } from "../../store/local-store.ts";
import { UsageError } from "../io.ts";
import { shortId } from "./render-summary.ts";

export interface ReplayPlan {
  agent: Agent;
  tasks: Task[];
  group: number;
}

function rowsFor(tasks: readonly Task[], slugs: ReadonlySet<string>, source: string): Task[] {
  const rows = tasks.filter((t) => slugs.has(t.slug));
  const missing = [...slugs].filter((slug) => !rows.some((t) => t.slug === slug));
  if (missing.length > 0) {
    throw new UsageError(
      `the stored task${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not in ${source}: replay against the source it ran from`,
    );
  }
  return rows;
}

export function replayPlan(
  store: LocalStore,
  options: { trace?: string; job?: string },
  tasks: readonly Task[],
  source: string,
): ReplayPlan {
  if (options.trace !== undefined && options.job !== undefined)
    throw new UsageError("give --trace or --job, not both");
  if (options.trace !== undefined) {
    const stored = store.trace(options.trace);
    return { agent: replay(stored), tasks: rowsFor(tasks, new Set([stored.slug]), source), group: 1 };
  }
  if (options.job !== undefined) {
    const detail = store.jobDetail(options.job);
    const finished = detail.traces.filter((t) => t.status === "completed" || t.status === "error");
    if (finished.length === 0)
      throw new UsageError(`job ${shortId(detail.job.id)} has no finished rollouts to replay`);
    const byPair = new Map(finished.map((t) => [`${t.slug}#${t.repeat}`, t.trace_id]));
    const agent = replay((run) => {
      const id = byPair.get(`${run.slug}#${run.repeat}`);
      return id === undefined ? undefined : store.trace(id);
    });
    return {
      agent,
      tasks: rowsFor(tasks, new Set(finished.map((t) => t.slug)), source),
      group: detail.job.group,
    };
  }
  throw new UsageError("the replay agent needs a stored trace: --trace <id> or --job <id>");
}

/** One line per replayed rollout; the count of those that differ. */
export function replayLines(job: Job): { lines: string[]; differing: number } {
  const lines: string[] = [];
  let differing = 0;
  for (const run of job.runs) {
    const report = run.trace.extra.replay as ReplayReport | undefined;
    if (!report) continue;
    const head = `replay of ${shortId(report.source_trace_id)} (${run.slug}#${run.repeat})`;
    const diff = report.first_difference;
    if (diff === null) {
      lines.push(`${head}: ${report.tool_calls} tool results identical, reward ${run.reward.toFixed(3)}`);
      continue;
    }
    differing++;
    lines.push(
      `${head}: step ${diff.step_id} (${diff.tool}) differs`,
      `  stored:   ${JSON.stringify(diff.expected)}`,
      `  replayed: ${JSON.stringify(diff.actual)}`,
    );
  }
  return { lines, differing };
}
