// `hud eval [source] [agent]`: run an agent over a taskset, watch it, store it, and report the numbers.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomically } from "../../eval/atomic-write.ts";
import { Job } from "../../eval/job.ts";
import { defaultJobName } from "../../eval/schedule.ts";
import { Taskset } from "../../eval/taskset.ts";
import { reapContainers } from "../../runtime/docker/reaper.ts";
import { LocalStore } from "../../store/local-store.ts";
import type { JobRecord } from "../../store/records.ts";
import { SpanFileSink } from "../../telemetry/span-file-sink.ts";
import { agentModel, chooseAgent } from "../eval/agent-choice.ts";
import { estimateCost } from "../eval/cost-estimate.ts";
import {
  EVAL_OPTIONS,
  type EvalPlan,
  FULL_MAX_STEPS,
  jobConfig,
  planEval,
  positionalArgs,
} from "../eval/eval-plan.ts";
import { fanOut } from "../eval/fan-out.ts";
import { jobFacts } from "../eval/job-facts.ts";
import { junitReport } from "../eval/junit.ts";
import { resumedTasks, selectTasks, taskSourceCandidates } from "../eval/options.ts";
import { evalPlacement } from "../eval/placement.ts";
import { ProgressDisplay } from "../eval/progress.ts";
import { renderSummary, shortId } from "../eval/render-summary.ts";
import { replayLines, replayPlan } from "../eval/replay-plan.ts";
import { evalStats } from "../eval/stats.ts";
import { styleFor } from "../eval/style.ts";
import { type CliIO, type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud eval [source] [agent] [options]

Run an agent over the tasks of a source and report the rewards. Every run is stored (see hud jobs).
source: tasks.ts/.js, .json/.jsonl, or a directory (default: the one task source in the current directory)
agent:  oracle (the reference solutions), nop (empty answers), human (you, at the terminal),
        claude | openai | gemini | openai_compatible (a model agent; pick the model with -m), or a model id

Options:
  --all                  run every task (default: only the first)
  --full                 --all with a larger step budget (--max-steps ${FULL_MAX_STEPS})
  --task-ids a,b,0       run these tasks: slugs, template ids or 0-based indexes
  --group <n>            repeats per task (also --group-size; default 1)
  --max-concurrent <n>   rollouts at once (default 30)
  --max-steps <n>        agent step budget (default 10)
  -m, --model <id>       model for model agents
  -c, --config k=v       agent setting (repeatable; true/false/numbers parsed): max_tokens (per rollout),
                         max_output_tokens (per call), system_prompt, stop_on, timeout_seconds,
                         tool_timeout_seconds, base_url (openai_compatible)
  --max-cost-per-rollout <usd>  end a rollout once its model calls cost this much (grading still runs)
  --budget <usd>         stop starting rollouts once the job has spent this much (running ones finish)
  --dry-run              print a cost estimate from recorded rollouts of the model, run nothing
  --trace <id>           with the replay agent: the stored trace to replay (its task runs once)
  --job <id>             with the replay agent: replay every finished rollout of this job
  --runtime <where>      local (a hud serve child per rollout, a container for rows naming an image;
                         default), docker[:image] (a fresh container per rollout), or a running
                         \`hud serve\`: tcp://host:port, unix:///path/to/socket
  --shared               with local: one child per environment, shared by its rollouts
  --pass-env <NAME>      let the environment processes keep this secret-looking variable (repeatable;
                         e.g. ANTHROPIC_API_KEY for an LLM judge; stripped by default)
  --resume <job-id>      finish a stopped job: run only its missing rollouts (id prefix ok)
  --json                 print one JSON summary on stdout (logs go to stderr)
  --junit <file>         write a JUnit XML report, one test case per rollout
  --fail-under <reward>  exit 1 when the mean reward is below this
  -y, --yes              do not ask for confirmation (nothing is asked without a terminal)
  -v, --verbose          stream every rollout's steps; stack traces on errors

Ctrl-C stops scheduling and cancels running rollouts (stored as cancelled; --resume finishes the job).
A second Ctrl-C exits at once.
`;

/** The one task source in `cwd`, or a usage error naming the choices. */
async function defaultSource(cwd: string): Promise<string> {
  const candidates = taskSourceCandidates(await readdir(cwd).catch(() => []));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(
      "no task source given and none found here: hud eval <tasks.ts|tasks.jsonl|dir> <agent>",
    );
  }
  throw new UsageError(
    `several task sources here (${candidates.join(", ")}): name one, hud eval <source> <agent>`,
  );
}

async function evaluate(plan: EvalPlan, resumed: JobRecord | undefined, io: CliIO, store: LocalStore) {
  // Logs go to stdout, or to stderr when stdout carries the JSON; the live line needs both on a terminal.
  const log = plan.json ? io.stderr : io.stdout;
  const logTTY = Boolean((plan.json ? process.stderr : process.stdout).isTTY);
  const tty = logTTY && Boolean(process.stderr.isTTY);
  const style = styleFor(logTTY, io.env);
  if (resumed && (plan.source === undefined || plan.agent === undefined)) {
    throw new UsageError(
      `job ${shortId(resumed.id)} does not record its source and agent; give them: hud eval <source> <agent> --resume ${shortId(resumed.id)}`,
    );
  }
  const source = resolve(io.cwd, plan.source ?? (await defaultSource(io.cwd)));
  if (plan.agent === undefined) {
    throw new UsageError("name an agent: hud eval <source> <agent> (built-in: oracle, nop, human)");
  }
  const agentName = plan.agent;
  if ((plan.replay.trace !== undefined || plan.replay.job !== undefined) && agentName !== "replay") {
    throw new UsageError(`--trace and --job go with the replay agent: hud eval <source> replay --trace <id>`);
  }
  const taskset = await Taskset.fromFile(source);
  const replaying =
    agentName === "replay" ? replayPlan(store, plan.replay, taskset.tasks, source) : undefined;
  const { tasks, onlyFirstOf } = replaying
    ? { tasks: replaying.tasks, onlyFirstOf: undefined }
    : plan.resumeSlugs
      ? { tasks: resumedTasks(taskset.tasks, plan.resumeSlugs, source), onlyFirstOf: undefined }
      : selectTasks(taskset.tasks, { all: plan.all, taskIds: plan.taskIds });
  if (onlyFirstOf !== undefined) {
    io.stderr(
      `note: running only the first of ${onlyFirstOf} tasks ('${tasks[0]!.slug}'); pass --all to run them all\n`,
    );
  }
  const group = replaying?.group ?? plan.group ?? 1;
  if (plan.dryRun) {
    const model = agentModel(agentName, plan.model, io.env);
    if (model === undefined) {
      log(`${agentName} makes no model calls: ${tasks.length * group} rollouts cost nothing.\n`);
    } else {
      log(
        `${estimateCost(
          model,
          store.costHistory(model),
          tasks.map((t) => t.slug),
          group,
        ).lines.join("\n")}\n`,
      );
    }
    return undefined;
  }
  const choice = replaying
    ? { agent: replaying.agent, model: undefined, ignored: [] }
    : chooseAgent(agentName, {
        model: plan.model,
        maxSteps: plan.maxSteps,
        maxCostPerRollout: plan.maxCostPerRollout,
        config: plan.agentConfig,
        env: io.env,
        human: { output: log },
      });
  const agent = choice.agent;
  if (choice.ignored.length > 0) {
    io.stderr(
      `note: ignoring settings this agent does not take: ${choice.ignored.map((k) => `-c ${k}`).join(", ")}\n`,
    );
  }
  const job = resumed
    ? store.loadJob(resumed.id)
    : new Job({ name: defaultJobName(taskset.name, tasks, group), group });
  const slugs = tasks.map((t) => t.slug);
  if (!resumed) {
    store.setJobMeta(job.id, {
      source,
      agent: agentName,
      model: choice.model ?? plan.model,
      config: jobConfig(plan, slugs),
    });
  }
  const where = await evalPlacement(plan.runtime, source, {
    rowsNameImages: tasks.some((t) => t.runtime_config?.image !== undefined),
    shared: plan.shared,
    width: plan.maxConcurrent,
    passEnv: plan.passEnv,
    onWarning: (message) => io.stderr(`warning: ${message}\n`),
  });
  // Containers a killed runner left behind (their owner process is gone) are removed before new ones start.
  if (where.containers) {
    const reaped = await reapContainers().catch(() => []);
    if (reaped.length > 0)
      io.stderr(`note: removed ${reaped.length} container(s) left by an earlier hud run\n`);
  }
  const human = agentName === "human";
  const display = new ProgressDisplay({
    live: tty && !human,
    style,
    log,
    status: io.stderr,
    verbose: io.verbose || Boolean(plan.verbose),
    streamSteps: !human,
  });
  const verb = resumed
    ? `Resuming job ${shortId(job.id)} (${job.runs.length} rollouts done)`
    : `Job ${shortId(job.id)}`;
  log(
    `${verb}: ${tasks.length} ${tasks.length === 1 ? "task" : "tasks"} × ${group} with ${agentName}, ` +
      `at most ${plan.maxConcurrent} at once, ${where.label}\n`,
  );
  const onAbort = () => io.stderr("\nstopping: cancelling running rollouts (Ctrl-C again to exit now)\n");
  io.signal.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  try {
    await new Taskset(taskset.name, tasks).run(agent, {
      runtime: where.placement,
      group,
      maxConcurrent: plan.maxConcurrent,
      job,
      signal: io.signal,
      budgetUsd: plan.budget,
      observer: fanOut(store, SpanFileSink.fromEnv(io.env), display),
    });
  } finally {
    display.stop();
    io.signal.removeEventListener("abort", onAbort);
    await where.close();
  }
  return { job, slugs, seconds: (performance.now() - started) / 1000, style, log, agentName };
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: EVAL_OPTIONS });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const store = LocalStore.open(io.env.HUD_HOME);
  try {
    const resumed = values.resume === undefined ? undefined : store.jobDetail(values.resume).job;
    const given = positionalArgs(positionals, (name) => existsSync(resolve(io.cwd, name)));
    const plan = planEval(values, given, resumed);
    const evaluated = await evaluate(plan, resumed, io, store);
    if (evaluated === undefined) return 0;
    const { job, slugs, seconds, style, log, agentName } = evaluated;
    const interrupted = io.signal.aborted;
    const replayed = replayLines(job);
    const facts = jobFacts(job, store);
    const stats = evalStats(facts, slugs);
    if (plan.junit !== undefined) {
      await writeFileAtomically(
        resolve(io.cwd, plan.junit),
        junitReport({ id: job.id, name: job.name, runs: facts, timestamp: new Date().toISOString() }),
      );
    }
    if (plan.json) {
      const summary = {
        job_id: job.id,
        name: job.name,
        status: store.jobDetail(job.id).job.status,
        runs: stats.runs,
        reward: job.reward,
        ci95: stats.ci95,
        success_rate: stats.successRate,
        errors: stats.errors,
        errors_by_kind: stats.errorsByKind,
        cancelled: stats.cancelled,
        tasks: stats.tasks.map((t) => ({ slug: t.slug, reward: t.reward, std: t.std, rewards: t.rewards })),
        tokens: stats.tokens,
        cost_usd: stats.costUsd,
        budget_stop: job.budgetStop
          ? {
              budget_usd: job.budgetStop.budgetUsd,
              spent_usd: job.budgetStop.spentUsd,
              not_started: job.budgetStop.notStarted,
            }
          : null,
        duration_s: Number(seconds.toFixed(3)),
        agent: agentName,
        model: store.jobDetail(job.id).job.model ?? plan.model ?? null,
      };
      io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const context = { jobId: job.id, name: job.name, agent: agentName, seconds, interrupted };
      log(`${renderSummary(stats, context, style).join("\n")}\n`);
      if (replayed.lines.length > 0) log(`${replayed.lines.join("\n")}\n`);
      if (job.budgetStop) {
        const { budgetUsd, spentUsd, notStarted } = job.budgetStop;
        log(
          `Budget reached: $${spentUsd.toFixed(4)} spent of $${budgetUsd}; ${notStarted} rollouts not started ` +
            `(finish with: hud eval --resume ${shortId(job.id)} --budget <usd>)\n`,
        );
      }
    }
    if (interrupted) return 130;
    if (replayed.differing > 0) {
      io.stderr(
        `error: ${replayed.differing} replayed rollout(s) got a tool result that differs from the stored trace\n`,
      );
      return 1;
    }
    if (plan.failUnder !== undefined && stats.reward < plan.failUnder) {
      io.stderr(`error: mean reward ${stats.reward.toFixed(3)} is below --fail-under ${plan.failUnder}\n`);
      return 1;
    }
    return 0;
  } finally {
    store.close();
  }
};

export default command;
