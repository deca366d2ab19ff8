// Traces: the steps of one rollout, in the Python SDK's JSON shapes, recorded as they happen.

export type StepSource = "user" | "agent" | "tool" | "task" | "subagent" | "system";
export type TraceStatus = "completed" | "error" | "cancelled";
export type StopReason = "done" | "max_steps" | "length" | "timeout" | "malformed_tool_call";

/** MCP content blocks, kept open: text, image, audio, resource… */
export type ContentBlock = { type: string; [key: string]: unknown };

/** An MCP prompt message: one turn with one content block. */
export interface PromptMessage {
  role: "user" | "assistant";
  content: ContentBlock;
}

/** A task call recorded by the runner: `setup` is tasks.start, `evaluate` is tasks.grade. */
export interface TaskCall {
  phase: "setup" | "evaluate";
  name: string;
  arguments: unknown;
  result: unknown;
}

/** A tool call as the agent issued it; string `arguments` are unparsed provider JSON (never executed). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown> | string | null;
  annotation?: string;
  provider_name?: string;
  [key: string]: unknown;
}

export interface ToolResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError: boolean;
  call_id?: string;
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  cost_usd?: number;
  llm_call_count?: number;
}

export interface BaseStep {
  /** 1-based position in the trace, assigned when recorded. */
  step_id: number;
  source: StepSource;
  messages: PromptMessage[];
  task_call?: TaskCall;
  error?: string;
  started_at?: string;
  ended_at?: string;
  extra: Record<string, unknown>;
}

export interface AgentStep extends BaseStep {
  source: "agent";
  content?: string;
  reasoning?: string;
  tool_calls: ToolCall[];
  done: boolean;
  finish_reason?: string;
  refusal?: string;
  citations: { type: "citation"; text: string; source: string; title?: string }[];
  raw?: unknown;
  model?: string;
  usage?: Usage;
}

export interface ToolStep extends BaseStep {
  source: "tool";
  call?: ToolCall;
  result?: ToolResult;
}

export type Step = BaseStep | AgentStep | ToolStep;

/** What a caller passes to `record`: the step without its id (and with defaults optional). */
export type StepInput =
  | (Omit<Partial<BaseStep>, "step_id"> & { source: StepSource })
  | (Omit<Partial<AgentStep>, "step_id"> & { source: "agent" })
  | (Omit<Partial<ToolStep>, "step_id"> & { source: "tool" });

/** The JSON form of a trace (`Trace.toJSON()`), as stored and as the Python SDK dumps it. */
export interface TraceData {
  trace_id?: string;
  steps: Step[];
  status?: TraceStatus;
  stop_reason?: StopReason;
  content?: string;
  extra: Record<string, unknown>;
}

export type StepListener = (step: Step, trace: Trace) => void;

/** ISO-8601 UTC with a `Z`, as the Python SDK stamps steps. */
export function now(): string {
  return new Date().toISOString();
}

/** Drop null/undefined values at the top level (the Python SDK dumps with exclude_none). */
function compact<T extends object>(value: T): T {
  let clean = true;
  for (const key in value) {
    if (value[key] === undefined || value[key] === null) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out as T;
}

export class Trace {
  trace_id: string | undefined;
  readonly steps: Step[] = [];
  status: TraceStatus | undefined;
  stop_reason: StopReason | undefined;
  /** The answer that is graded. */
  content: string | undefined;
  extra: Record<string, unknown> = {};
  private readonly listeners: StepListener[] = [];

  constructor(traceId?: string) {
    this.trace_id = traceId;
  }

  /** Subscribe to steps as they are recorded (sinks write them through immediately). */
  onStep(listener: StepListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Append a step: assign its id, stamp `ended_at` if unset, notify listeners. */
  record(input: StepInput): Step {
    const { source } = input;
    const base: Record<string, unknown> = { step_id: this.steps.length + 1, source, messages: [] };
    Object.assign(base, input);
    base.extra ??= {};
    if (source === "agent") {
      base.tool_calls ??= [];
      base.done ??= false;
      base.citations ??= [];
    }
    base.ended_at ??= now();
    const step = compact(base) as unknown as Step;
    this.steps.push(step);
    for (const listener of this.listeners) {
      try {
        listener(step, this);
      } catch (error) {
        process.emitWarning(`trace listener failed: ${(error as Error).message}`);
      }
    }
    return step;
  }

  get isError(): boolean {
    return this.status === "error";
  }

  /** Stopped for any reason other than finishing. */
  get isTruncated(): boolean {
    return this.stop_reason !== undefined && this.stop_reason !== "done";
  }

  /** The newest step error, if any. */
  get error(): string | undefined {
    for (let i = this.steps.length - 1; i >= 0; i--) if (this.steps[i]!.error) return this.steps[i]!.error;
    return undefined;
  }

  toJSON(): TraceData {
    return compact({
      trace_id: this.trace_id,
      steps: this.steps,
      status: this.status,
      stop_reason: this.stop_reason,
      content: this.content,
      extra: this.extra,
    }) as TraceData;
  }
}
