// One trace step as a few terminal lines: agent text, tool calls, tool results, system errors, the grade tree.
import { type WorkspaceDiffExtra, workspaceDiffOf } from "../../eval/file-tracking-observer.ts";
import type { AgentStep, ContentBlock, Step, ToolCall, ToolStep } from "../../eval/trace.ts";
import { bounded, clip, PLAIN, type Style } from "./style.ts";

export interface StepView {
  style?: Style;
  /** Characters per block (default 2000); streaming uses less. */
  maxChars?: number;
  /** Lines per block (default 40). */
  maxLines?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text of MCP content blocks; other blocks as a short placeholder. */
export function contentText(blocks: readonly ContentBlock[]): string {
  return blocks
    .map((block) => {
      if (block.type === "text") return String(block.text ?? "");
      if (block.type === "image" || block.type === "audio") {
        const size =
          typeof block.data === "string" ? ` ${Math.floor((block.data.length * 3) / 4)} bytes` : "";
        return `[${block.type} ${String(block.mimeType ?? "")}${size}]`;
      }
      if (block.type === "resource" && isObject(block.resource)) {
        const r = block.resource;
        return typeof r.text === "string" ? r.text : `[resource ${String(r.uri ?? "")}]`;
      }
      return `[${block.type}]`;
    })
    .join("\n");
}

/** `name(k=v, …)` with arguments as compact JSON values. */
export function callText(call: ToolCall, max = 200): string {
  const args = call.arguments;
  let inner: string;
  if (args === null || args === undefined) inner = "";
  else if (typeof args === "string") inner = args;
  else
    inner = Object.entries(args)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
  return `${call.name}(${clip(inner, max)})`;
}

function indent(lines: string[], prefix: string): string[] {
  return lines.map((line) => `${prefix}${line}`);
}

/** Why a subscore has its value, from its info: a judge's reason, a command's exit, or an error. */
function subscoreReason(info: unknown): string | undefined {
  if (!isObject(info)) return undefined;
  for (const key of ["reason", "explanation", "error"]) {
    if (typeof info[key] === "string" && info[key] !== "") return info[key];
  }
  if (info.timed_out === true) return `timed out after ${String(info.timeout ?? "?")}s`;
  if (typeof info.exit_code === "number") {
    const stderr = typeof info.stderr === "string" ? info.stderr.trim().split("\n").at(-1) : "";
    return `exit ${info.exit_code}${stderr ? `: ${stderr}` : ""}`;
  }
  return undefined;
}

/** A subscore tree (`[{name, value, weight, children, info}]`): every node with its weight and reason. */
export function subscoreTree(subscores: unknown, style: Style = PLAIN, prefix = ""): string[] {
  if (!Array.isArray(subscores)) return [];
  const lines: string[] = [];
  subscores.forEach((node, i) => {
    if (!isObject(node)) return;
    const last = i === subscores.length - 1;
    const weight =
      typeof node.weight === "number" ? style.dim(` weight ${Number(node.weight.toPrecision(6))}`) : "";
    const value = typeof node.value === "number" ? node.value.toFixed(3) : "?";
    lines.push(`${prefix}${last ? "└─" : "├─"} ${String(node.name)} ${value}${weight}`);
    const inner = `${prefix}${last ? "   " : "│  "}`;
    const reason = subscoreReason(node.info);
    if (reason !== undefined) lines.push(style.dim(`${inner}  ${clip(reason.replace(/\s+/g, " "), 300)}`));
    lines.push(...subscoreTree(node.children, style, inner));
  });
  return lines;
}

/** The grade frame: score, content, subscores. */
export function gradeLines(frame: unknown, style: Style = PLAIN, view: StepView = {}): string[] {
  if (!isObject(frame)) return [];
  const score = typeof frame.score === "number" ? frame.score : undefined;
  const head = `${style.bold("grade")} ${score === undefined ? "-" : String(score)}${frame.isError ? style.red(" (error)") : ""}`;
  const lines = [head];
  if (typeof frame.content === "string" && frame.content !== "") {
    lines.push(...indent(bounded(frame.content, view.maxChars ?? 2000, view.maxLines ?? 40), "  "));
  }
  lines.push(...indent(subscoreTree(frame.subscores, style), "  "));
  if (isObject(frame.info) && Object.keys(frame.info).length > 0) {
    lines.push(style.dim(`  info ${clip(JSON.stringify(frame.info), view.maxChars ?? 2000)}`));
  }
  return lines;
}

function promptText(step: Step): string {
  return step.messages
    .map((m) => (m.content.type === "text" ? String(m.content.text ?? "") : `[${m.content.type}]`))
    .join("\n\n");
}

/** Lines for one step (none for steps with nothing to show). */
export function renderStep(step: Step, view: StepView = {}): string[] {
  const style = view.style ?? PLAIN;
  const block = (text: string) => bounded(text, view.maxChars ?? 2000, view.maxLines ?? 40);
  const lines: string[] = [];
  if (step.source === "task" && step.task_call?.phase === "evaluate") {
    lines.push(...gradeLines(step.task_call.result, style, view));
  } else if (step.source === "task" && step.task_call) {
    const args = JSON.stringify(step.task_call.arguments ?? {});
    lines.push(style.dim(`task ${step.task_call.name} ${args === "{}" ? "" : clip(args, 200)}`.trimEnd()));
  } else if (step.source === "user") {
    const text = promptText(step);
    if (text !== "") lines.push(style.bold("user"), ...indent(block(text), "  "));
  } else if (step.source === "agent") {
    const agent = step as AgentStep;
    lines.push(style.bold("agent"));
    if (agent.reasoning) lines.push(...indent(block(agent.reasoning), style.dim("  ~ ")));
    if (agent.content) lines.push(...indent(block(agent.content), "  "));
    else if ((agent.tool_calls ?? []).length === 0) lines.push(style.dim("  (no text)"));
    for (const call of agent.tool_calls ?? []) lines.push(`  → ${callText(call)}`);
    if (agent.usage?.prompt_tokens !== undefined || agent.usage?.completion_tokens !== undefined) {
      const u = agent.usage;
      lines.push(style.dim(`  (${u.prompt_tokens ?? 0} in, ${u.completion_tokens ?? 0} out tokens)`));
    }
  } else if (step.source === "tool") {
    const tool = step as ToolStep;
    const name = tool.call?.name ?? "tool";
    const text = tool.result ? contentText(tool.result.content ?? []) : "";
    const structured = tool.result?.structuredContent;
    const body = text !== "" ? text : structured ? JSON.stringify(structured) : "(no output)";
    const mark = tool.result?.isError ? style.red(`  ✗ ${name}`) : `  ← ${name}`;
    lines.push(mark, ...indent(block(body), "    "));
  } else if (step.source === "system" && workspaceDiffOf(step)) {
    lines.push(...workspaceDiffLines(workspaceDiffOf(step)!, style, view));
  } else if (step.source === "subagent") {
    lines.push(style.dim("subagent trace (see --json)"));
  }
  if (step.error && !(step.source === "task" && step.task_call?.phase === "evaluate")) {
    lines.push(style.red(`  ! ${clip(step.error, view.maxChars ?? 2000)}`));
  }
  return lines;
}

function patchLine(line: string, style: Style): string {
  if (line.startsWith("+++ ") || line.startsWith("--- ")) return style.bold(line);
  if (line.startsWith("@@")) return style.dim(line);
  if (line.startsWith("+")) return style.green(line);
  if (line.startsWith("-")) return style.red(line);
  return line;
}

/** A workspace diff step: a line per changed file (A/M/D), then its patch, bounded like any block. */
export function workspaceDiffLines(
  extra: WorkspaceDiffExtra,
  style: Style = PLAIN,
  view: StepView = {},
): string[] {
  const diff = extra.workspace_diff;
  const when =
    extra.after_step_id === undefined ? "when the agent finished" : `after step ${extra.after_step_id}`;
  const counts = `${diff.files_changed} changed of ${diff.files_scanned} tracked${diff.truncated ? ", truncated" : ""}`;
  const lines = [`${style.bold(`files ${when}`)} ${style.dim(`(${counts})`)}`];
  for (const patch of diff.patches) {
    const mark =
      patch.status === "added"
        ? style.green("A")
        : patch.status === "deleted"
          ? style.red("D")
          : style.yellow("M");
    lines.push(`  ${mark} ${patch.path}`);
    const body = bounded(patch.patch.replace(/\n$/, ""), view.maxChars ?? 2000, view.maxLines ?? 40);
    lines.push(...body.map((line) => `    ${patchLine(line, style)}`));
  }
  for (const file of extra.workspace_capture?.files ?? []) {
    lines.push(style.dim(`  captured ${file.path} (${file.content_type}, ${file.size} bytes)`));
  }
  return lines;
}
