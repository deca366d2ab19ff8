// `hud eval`'s flags and what they mean, resolved purely: from argv (and, with --resume, the stored job's record).
import { isAgentName } from "../../agents/builtin/registry.ts";
import type { JsonObject } from "../../protocol/jsonrpc.ts";
import type { JobRecord } from "../../store/records.ts";
import { UsageError } from "../io.ts";
import { integerFlag, numberFlag, parseConfigPairs } from "./options.ts";

export const DEFAULT_MAX_CONCURRENT = 30;
export const DEFAULT_MAX_STEPS = 10;
/** `--full` raises the step budget to this unless --max-steps is given. */
export const FULL_MAX_STEPS = 100;

export const EVAL_OPTIONS = {
  all: { type: "boolean" },
  full: { type: "boolean" },
  group: { type: "string" },
  "group-size": { type: "string" },
  "max-concurrent": { type: "string" },
  "max-steps": { type: "string" },
  "task-ids": { type: "string" },
  model: { type: "string", short: "m" },
  config: { type: "string", short: "c", multiple: true },
  runtime: { type: "string" },
  shared: { type: "boolean" },
  "pass-env": { type: "string", multiple: true },
  resume: { type: "string" },
  json: { type: "boolean" },
  junit: { type: "string" },
  "fail-under": { type: "string" },
  "max-cost-per-rollout": { type: "string" },
  budget: { type: "string" },
  "dry-run": { type: "boolean" },
  trace: { type: "string" },
  job: { type: "string" },
  yes: { type: "boolean", short: "y" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

export interface EvalValues {
  all?: boolean;
  full?: boolean;
  group?: string;
  "group-size"?: string;
  "max-concurrent"?: string;
  "max-steps"?: string;
  "task-ids"?: string;
  model?: string;
  config?: string[];
  runtime?: string;
  shared?: boolean;
  "pass-env"?: string[];
  resume?: string;
  json?: boolean;
  junit?: string;
  "fail-under"?: string;
  "max-cost-per-rollout"?: string;
  budget?: string;
  "dry-run"?: boolean;
  trace?: string;
  job?: string;
  yes?: boolean;
  verbose?: boolean;
  help?: boolean;
}

export interface EvalPlan {
  /** As given (resolved against the cwd later), or as stored when resuming. */
  source: string | undefined;
  agent: string | undefined;
  model: string | undefined;
  all: boolean;
  taskIds: string | undefined;
  /** Slugs stored by the job being resumed (the rows it covers). */
  resumeSlugs: string[] | undefined;
  group: number | undefined;
  maxConcurrent: number;
  maxSteps: number;
  runtime: string;
  shared: boolean;
  passEnv: string[];
  agentConfig: JsonObject;
  json: boolean;
  junit: string | undefined;
  failUnder: number | undefined;
  maxCostPerRollout: number | undefined;
  /** Dollars the job may spend (not stored: a resumed job takes a new --budget). */
  budget: number | undefined;
  dryRun: boolean;
  /** What the replay agent replays. */
  replay: { trace?: string; job?: string };
  verbose: boolean;
}

function checkRuntime(runtime: string): string {
  if (runtime === "local" || runtime === "hud") return runtime;
  if (runtime.startsWith("tcp://") || runtime.startsWith("unix://")) return runtime;
  if (runtime === "docker" || /^docker:\S+$/.test(runtime)) return runtime;
  throw new UsageError(
    `--runtime must be local, docker, docker:<image>, tcp://host:port or unix:///path (got '${runtime}')`,
  );
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

const str = (value: unknown) => (typeof value === "string" ? value : undefined);
const num = (value: unknown) => (typeof value === "number" ? value : undefined);

/** `[source] [agent]`; a lone agent name (that is not also a path in `cwd`) leaves the source to be found. */
export function positionalArgs(
  positionals: readonly string[],
  isPath: (name: string) => boolean,
): { source?: string; agent?: string } {
  if (positionals.length > 2) throw new UsageError(`unexpected arguments: ${positionals.slice(2).join(" ")}`);
  const [first, second] = positionals;
  if (first !== undefined && second === undefined && isAgentName(first) && !isPath(first))
    return { agent: first };
  return { source: first, agent: second };
}

function positiveFlag(text: string | undefined, flag: string): number | undefined {
  const n = numberFlag(text, flag);
  if (n !== undefined && !(n > 0)) throw new UsageError(`${flag} must be a positive number (got '${text}')`);
  return n;
}

/** Flags win; a resumed job fills in what was not given from how it was started. */
export function planEval(
  values: EvalValues,
  given: { source?: string; agent?: string },
  stored?: JobRecord,
): EvalPlan {
  if (values.group !== undefined && values["group-size"] !== undefined) {
    throw new UsageError("give --group or --group-size, not both");
  }
  const config = stored?.config ?? {};
  const group = values.group ?? values["group-size"];
  if (stored && group !== undefined && Number(group) !== stored.group) {
    throw new UsageError(`--group ${group} differs from the resumed job's group (${stored.group})`);
  }
  const all = Boolean(values.all || values.full);
  const storedSteps = num(config.max_steps);
  const maxSteps =
    values["max-steps"] !== undefined
      ? integerFlag(values["max-steps"], "--max-steps", DEFAULT_MAX_STEPS)
      : (storedSteps ?? (values.full ? FULL_MAX_STEPS : DEFAULT_MAX_STEPS));
  const storedConfig = config.agent_config;
  const agent = given.agent ?? stored?.agent ?? undefined;
  // One person at one terminal: the human agent takes tasks one at a time unless told otherwise.
  const concurrency = agent === "human" ? 1 : DEFAULT_MAX_CONCURRENT;
  return {
    source: given.source ?? stored?.source ?? undefined,
    agent,
    model: values.model ?? stored?.model ?? undefined,
    all,
    taskIds: values["task-ids"],
    resumeSlugs: stored ? stringList(config.tasks) : undefined,
    group: stored ? stored.group : integerFlag(group, group === values.group ? "--group" : "--group-size", 1),
    maxConcurrent: integerFlag(
      values["max-concurrent"],
      "--max-concurrent",
      num(config.max_concurrent) ?? concurrency,
    ),
    maxSteps,
    runtime: checkRuntime(values.runtime ?? str(config.runtime) ?? "local"),
    shared: Boolean(values.shared ?? config.shared),
    passEnv: values["pass-env"] ?? stringList(config.pass_env) ?? [],
    agentConfig: {
      ...(typeof storedConfig === "object" && storedConfig !== null && !Array.isArray(storedConfig)
        ? (storedConfig as JsonObject)
        : {}),
      ...parseConfigPairs(values.config ?? []),
    },
    json: Boolean(values.json),
    junit: values.junit,
    failUnder: numberFlag(values["fail-under"], "--fail-under"),
    maxCostPerRollout: positiveFlag(
      values["max-cost-per-rollout"] ??
        (num(config.max_cost_per_rollout) === undefined ? undefined : String(config.max_cost_per_rollout)),
      "--max-cost-per-rollout",
    ),
    budget: positiveFlag(values.budget, "--budget"),
    dryRun: Boolean(values["dry-run"]),
    replay: { trace: values.trace, job: values.job },
    verbose: Boolean(values.verbose),
  };
}

/** What is stored with the job so `--resume` can run it again the same way. */
export function jobConfig(plan: EvalPlan, slugs: readonly string[]): JsonObject {
  return {
    tasks: [...slugs],
    group: plan.group ?? 1,
    max_concurrent: plan.maxConcurrent,
    max_steps: plan.maxSteps,
    runtime: plan.runtime,
    shared: plan.shared,
    ...(plan.passEnv.length > 0 ? { pass_env: plan.passEnv } : {}),
    agent_config: plan.agentConfig,
    ...(plan.maxCostPerRollout === undefined ? {} : { max_cost_per_rollout: plan.maxCostPerRollout }),
  };
}
