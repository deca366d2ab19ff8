// Run: one live task on one control connection — started on enter, graded on exit, with its trace.
import type { Capability } from "../capabilities/capability.ts";
import type { CapabilityClient } from "../capabilities/clients/registry.ts";
import type { HudClient } from "../client/client.ts";
import type { ClientKind } from "../client/open-capability.ts";
import type { Task } from "../environment/task.ts";
import { errorMessage, HudError } from "../protocol/errors.ts";
import { isObject, type JsonObject } from "../protocol/jsonrpc.ts";
import type { ChatMessage, PromptFrame } from "../protocol/methods.ts";
import { Grade } from "./grade.ts";
import { type ContentBlock, type PromptMessage, Trace } from "./trace.ts";

export type Prompt = string | ChatMessage[] | null;

/** `Type: message`, the way failures are recorded in traces. */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  return `${name}: ${errorMessage(error)}`;
}

function toContentBlock(value: unknown): ContentBlock {
  if (typeof value === "string") return { type: "text", text: value };
  if (isObject(value) && typeof value.type === "string") return value as ContentBlock;
  return { type: "text", text: value === undefined || value === null ? "" : JSON.stringify(value) };
}

/**
 * One wire prompt turn as MCP prompt messages: roles other than `assistant` become `user`, string content is
 * text, a list of content blocks (chat-completions style) becomes one message per block, anything else is
 * stringified.
 */
function toPromptMessages(item: unknown): PromptMessage[] {
  if (!isObject(item)) return [{ role: "user", content: { type: "text", text: String(item) } }];
  const role = item.role === "assistant" ? "assistant" : "user";
  const blocks = Array.isArray(item.content) ? item.content : [item.content];
  return blocks.map((block) => ({ role, content: toContentBlock(block) }));
}

export interface RunInit {
  task: Task;
  trace?: Trace;
  jobId?: string;
  groupId?: string;
  /** Which repeat of its task this run is (0-based, within the job's group). */
  repeat?: number;
  /** The agent's model, when it has one. */
  model?: string;
}

export class Run {
  readonly task: Task;
  readonly trace: Trace;
  job_id: string | undefined;
  group_id: string | undefined;
  readonly repeat: number;
  readonly model: string | undefined;
  /** The control url the environment was reached at. */
  runtime: string | undefined;
  client: HudClient | undefined;
  /** The whole start frame. */
  promptFrame: PromptFrame | undefined;
  prompt: Prompt = null;
  /** Per-task bindings from the start frame (`{name: {...}}`), distinct from the capability bindings. */
  taskBindings: Record<string, JsonObject> = {};
  grade = new Grade();
  /** Made on first use: most agents never look at the signal. */
  private controller: AbortController | undefined;

  constructor(init: RunInit) {
    this.task = init.task;
    this.trace = init.trace ?? new Trace();
    this.job_id = init.jobId;
    this.group_id = init.groupId;
    this.repeat = init.repeat ?? 0;
    this.model = init.model;
  }

  /** Aborted when the agent must stop: agent timeout, rollout timeout, cancellation. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  get task_id(): string {
    return this.task.id;
  }
  get slug(): string {
    return this.task.slug;
  }
  get trace_id(): string | undefined {
    return this.trace.trace_id;
  }
  get reward(): number {
    return this.grade.reward;
  }
  get evaluation(): JsonObject {
    return this.grade.evaluation;
  }

  /** Capabilities with urls routed through the client's local forwarders. */
  get bindings(): Capability[] {
    return this.client?.bindings ?? [];
  }

  /** A connected capability client (ssh, mcp, …) for a binding, cached for this run's connection. */
  open(ref: string): Promise<CapabilityClient>;
  open<C extends CapabilityClient>(ref: string, kind: ClientKind<C>): Promise<C>;
  async open<C extends CapabilityClient>(ref: string, kind?: ClientKind<C>): Promise<CapabilityClient> {
    if (!this.client) throw new HudError("this run has no live connection");
    return kind ? this.client.open(ref, kind) : this.client.open(ref);
  }

  binding(ref: string): Capability {
    if (!this.client) throw new HudError("this run has no live connection");
    return this.client.binding(ref);
  }

  /** The prompt as MCP prompt messages (a string is one user text turn). */
  get promptMessages(): PromptMessage[] {
    if (this.prompt === null || typeof this.prompt === "string") {
      return [{ role: "user", content: { type: "text", text: this.prompt ?? "" } }];
    }
    return this.prompt.flatMap(toPromptMessages);
  }

  /** The text turns of the prompt joined by blank lines. */
  get promptText(): string {
    return this.promptMessages
      .map((m) => (m.content.type === "text" ? String(m.content.text ?? "") : ""))
      .filter((text) => text !== "")
      .join("\n\n");
  }

  /** Tell the agent to stop (it should watch `run.signal`). */
  abort(reason: string): void {
    this.controller ??= new AbortController();
    this.controller.abort(new HudError(reason));
  }

  /** Record `tasks.start`'s frame: the setup step, then the task bindings (checked) and the prompt. */
  recordStart(frame: PromptFrame, args: JsonObject, startedAt: string): void {
    this.promptFrame = frame;
    this.recordSetup(this.task.id, args, frame, startedAt);
    if (frame.bindings !== undefined) {
      const b = frame.bindings;
      if (!isObject(b) || !Object.values(b).every(isObject)) {
        throw new HudError("start frame 'bindings' must be an object of objects");
      }
      this.taskBindings = b as Record<string, JsonObject>;
    }
    this.prompt = (frame.prompt ?? null) as Prompt;
    if (this.prompt !== null) this.trace.record({ source: "user", messages: this.promptMessages });
  }

  /** Record a `tasks.start` of task `name` as a setup step (a verifier's start changes nothing else). */
  recordSetup(name: string, args: JsonObject, frame: PromptFrame, startedAt: string): void {
    this.trace.record({
      source: "task",
      task_call: { phase: "setup", name, arguments: args, result: frame },
      started_at: startedAt,
    });
  }

  /**
   * Take a grade frame for task `name` (graded with `args`): the grade and the evaluate step. A frame without a
   * numeric score or with malformed subscores throws, and nothing is recorded.
   */
  recordGrade(name: string, args: JsonObject, frame: JsonObject, startedAt: string): void {
    this.grade = Grade.fromFrame(frame);
    this.trace.record({
      source: "task",
      task_call: { phase: "evaluate", name, arguments: args, result: frame },
      started_at: startedAt,
      error: this.grade.isError ? (this.grade.content ?? "grade reported an error") : undefined,
    });
    this.trace.status ??= "completed";
  }

  /** Grading failed where that is not fatal: an errored zero grade (keeping the answer) and a system step. */
  recordGradingFailure(error: unknown, answer: unknown): void {
    const detail = describeError(error);
    this.grade = Grade.failed(detail, answer);
    this.trace.status = "error";
    this.trace.record({ source: "system", error: `[grading] ${detail}` });
  }

  /** Record a failure: errored trace and a system step. A run that never became live forgets its start. */
  recordFailure(detail: string, options: { live: boolean }): void {
    if (!options.live) {
      this.client = undefined;
      this.runtime = undefined;
      this.promptFrame = undefined;
      this.prompt = null;
      this.taskBindings = {};
    }
    this.trace.status = "error";
    this.trace.record({ source: "system", error: detail });
  }

  /** A run that never became live: errored trace with one system step. */
  static failed(task: Task, error: string, init: Omit<RunInit, "task"> = {}): Run {
    const run = new Run({ ...init, task });
    run.recordFailure(error, { live: false });
    return run;
  }
}
