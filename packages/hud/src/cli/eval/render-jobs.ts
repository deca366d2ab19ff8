// `hud jobs` views: the job list and one job's traces, as tables.
import { relative } from "node:path";
import type { JobDetail, JobSummary } from "../../store/records.ts";
import { shortId } from "./render-summary.ts";
import { clip, clipStart, dollars, duration, reward, type Style, table } from "./style.ts";

/** `2026-05-01 12:34:56` from an ISO timestamp (UTC). */
export function when(iso: string | null): string {
  return iso === null ? "-" : iso.slice(0, 19).replace("T", " ");
}

/** A stored source path, relative to `cwd` when it is below it. */
export function sourceLabel(source: string | null, cwd: string): string {
  if (source === null) return "-";
  const rel = relative(cwd, source);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/") ? rel : source;
}

function agentLabel(job: Pick<JobSummary, "agent" | "model">): string {
  if (job.agent && job.model) return `${job.agent}/${job.model}`;
  return job.agent ?? job.model ?? "-";
}

function statusLabel(status: string, style: Style): string {
  if (status === "completed") return style.green(status);
  if (status === "error") return style.red(status);
  if (status === "running") return status;
  return style.yellow(status);
}

/** `12,345 tokens, $0.0123`, or "-" when nothing reported usage. */
export function usageLabel(tokens: number, costUsd: number): string {
  if (tokens === 0 && costUsd === 0) return "-";
  const cost = costUsd > 0 ? `, ${dollars(costUsd)}` : "";
  return `${tokens.toLocaleString("en-US")} tokens${cost}`;
}

export function renderJobList(jobs: readonly JobSummary[], cwd: string, style: Style): string[] {
  if (jobs.length === 0) return ["No jobs yet: run one with hud eval <source> <agent>"];
  const money = jobs.some((job) => job.cost_usd > 0);
  const rows = jobs.map((job) => [
    shortId(job.id),
    clip(job.name, 36),
    clipStart(sourceLabel(job.source, cwd), 40),
    clip(agentLabel(job), 28),
    job.status,
    String(job.runs),
    reward(job.reward),
    when(job.created_at),
    ...(money ? [job.cost_usd > 0 ? dollars(job.cost_usd) : "-"] : []),
  ]);
  const lines = table(
    ["ID", "NAME", "SOURCE", "AGENT", "STATUS", "RUNS", "REWARD", "CREATED", ...(money ? ["COST"] : [])],
    rows,
    new Set([5, 6, 8]),
  );
  return [style.bold(lines[0]!), ...lines.slice(1), style.dim("Details: hud jobs <id>")];
}

export function renderJobDetail(detail: JobDetail, cwd: string, style: Style): string[] {
  const { job, traces } = detail;
  const lines = [
    `${style.bold("Job")}      ${job.id}`,
    `Name     ${job.name}`,
    `Source   ${sourceLabel(job.source, cwd)}`,
    `Agent    ${agentLabel(job)}`,
    `Status   ${statusLabel(job.status, style)}`,
    `Runs     ${job.runs} of ${job.planned} (group ${job.group})`,
    `Reward   ${reward(job.reward)}`,
    `Usage    ${usageLabel(job.tokens, job.cost_usd)}`,
    `Created  ${when(job.created_at)}`,
    "",
  ];
  if (traces.length === 0) return [...lines, "No traces."];
  const rows = traces.map((t) => [
    shortId(t.trace_id),
    clip(`${t.slug}#${t.repeat}`, 40),
    t.status,
    t.stop_reason ?? "-",
    reward(t.reward),
    t.duration_s === null ? "-" : duration(t.duration_s),
    t.error === null ? "" : clip(t.error, 60),
  ]);
  const body = table(["TRACE", "TASK", "STATUS", "STOP", "REWARD", "TIME", "ERROR"], rows, new Set([4, 5]));
  return [
    ...lines,
    style.bold(body[0]!),
    ...body.slice(1),
    style.dim(
      `Steps of one trace: hud trace <trace-id>${job.status === "interrupted" || job.status === "cancelled" ? `; finish the job: hud eval --resume ${shortId(job.id)}` : ""}`,
    ),
  ];
}
