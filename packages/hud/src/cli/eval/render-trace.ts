// `hud trace` view: the prompt, each agent turn with its tool calls and their results, errors, and the grade.
import type { StoredTrace } from "../../store/records.ts";
import { when } from "./render-jobs.ts";
import { renderStep } from "./render-step.ts";
import { duration, reward, type Style } from "./style.ts";

export function renderTrace(trace: StoredTrace, style: Style): string[] {
  const seconds =
    trace.ended_at === null ? undefined : (Date.parse(trace.ended_at) - Date.parse(trace.started_at)) / 1000;
  const lines = [
    `${style.bold("Trace")}   ${trace.trace_id}`,
    `Job     ${trace.job_id}`,
    `Task    ${trace.slug}#${trace.repeat} (${trace.task.env}/${trace.task.id})`,
    `Status  ${trace.status}${trace.stop_reason ? ` (${trace.stop_reason})` : ""}`,
    `Reward  ${reward(trace.reward)}`,
    `Time    ${when(trace.started_at)}${seconds === undefined || !Number.isFinite(seconds) ? "" : `, ${duration(seconds)}`}`,
  ];
  if (trace.model) lines.push(`Model   ${trace.model}`);
  const t = trace.totals;
  if (t.prompt_tokens + t.completion_tokens > 0 || t.cost_usd > 0) {
    lines.push(
      `Usage   ${t.prompt_tokens} in, ${t.completion_tokens} out tokens${t.cost_usd > 0 ? `, $${t.cost_usd.toFixed(4)}` : ""}`,
    );
  }
  if (trace.error) lines.push(style.red(`Error   ${trace.error}`));
  lines.push("");
  let turn = 0;
  for (const step of trace.steps) {
    const body = renderStep(step, { style, maxChars: 8000, maxLines: 200 });
    if (body.length === 0) continue;
    if (step.source === "agent") {
      turn++;
      lines.push("", style.bold(`── Turn ${turn} ─────────`));
    } else if (step.source === "user" || (step.source === "task" && step.task_call?.phase === "evaluate")) {
      lines.push("");
    }
    lines.push(...body);
  }
  if (trace.steps.length === 0) lines.push("", "No steps recorded.");
  if (trace.content !== undefined)
    lines.push("", `${style.bold("Answer")}  ${JSON.stringify(trace.content)}`);
  return lines;
}
