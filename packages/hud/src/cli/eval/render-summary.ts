// The end-of-evaluation report: per-task table, overall mean with its interval, errors, usage, time, next command.
import type { EvalStats } from "./stats.ts";
import { clip, duration, reward, type Style, table } from "./style.ts";

export interface SummaryContext {
  jobId: string;
  name: string;
  agent: string;
  seconds: number;
  interrupted: boolean;
  /** Largest number of task rows listed (default 50). */
  maxTasks?: number;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function renderSummary(stats: EvalStats, context: SummaryContext, style: Style): string[] {
  const lines = ["", style.bold(`${context.name} — ${context.agent}`)];
  const maxTasks = context.maxTasks ?? 50;
  if (stats.tasks.length > 1 || stats.runs > 1) {
    const rows = stats.tasks
      .slice(0, maxTasks)
      .map((t) => [
        clip(t.slug, 40),
        reward(t.reward),
        t.std === null ? "-" : t.std.toFixed(3),
        String(t.runs),
      ]);
    lines.push(...table(["task", "reward", "std", "runs"], rows, new Set([1, 2, 3])).map((l) => `  ${l}`));
    if (stats.tasks.length > maxTasks)
      lines.push(style.dim(`  … ${stats.tasks.length - maxTasks} more tasks`));
  }
  const [lo, hi] = stats.ci95;
  const interval =
    stats.counted > 1 ? style.dim(` (95% CI ${reward(lo)}–${reward(hi)}, t, n=${stats.counted})`) : "";
  lines.push(`Mean reward  ${style.bold(reward(stats.reward))}${interval}`);
  lines.push(`Success      ${(stats.successRate * 100).toFixed(1)}% ${style.dim("(reward ≥ 1)")}`);
  const kinds = Object.entries(stats.errorsByKind)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind}: ${n}`)
    .join(", ");
  const errors = stats.errors === 0 ? "0" : style.red(`${stats.errors} (${kinds})`);
  lines.push(`Errors       ${errors}`);
  if (stats.cancelled > 0) lines.push(`Cancelled    ${style.yellow(String(stats.cancelled))}`);
  if (stats.tokens !== null || stats.costUsd !== null) {
    const tokens = stats.tokens === null ? "" : `${stats.tokens.toLocaleString("en-US")} tokens`;
    const cost = stats.costUsd === null ? "" : `$${stats.costUsd.toFixed(4)}`;
    lines.push(`Usage        ${[tokens, cost].filter(Boolean).join(", ")}`);
  }
  const rate = context.seconds > 0 ? `, ${(stats.runs / context.seconds).toFixed(2)} runs/s` : "";
  lines.push(
    `Wall time    ${duration(context.seconds)} ${style.dim(`(${stats.runs} ${stats.runs === 1 ? "run" : "runs"}${rate})`)}`,
  );
  lines.push(`Job          ${context.jobId}  ${style.dim(`inspect: hud jobs ${shortId(context.jobId)}`)}`);
  if (context.interrupted) {
    lines.push(style.yellow(`Interrupted: finish it with hud eval --resume ${shortId(context.jobId)}`));
  }
  return lines;
}
