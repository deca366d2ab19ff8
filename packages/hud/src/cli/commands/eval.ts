// `hud eval [source] [agent]`: run an agent over a taskset, watch it, store it, and report the numbers.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { builtinAgent } from "../../agents/builtin/registry.ts";
import { writeFileAtomically } from "../../eval/atomic-write.ts";
import { Job } from "../../eval/job.ts";
import { defaultJobName } from "../../eval/schedule.ts";
import { Taskset } from "../../eval/taskset.ts";
import { LocalStore } from "../../store/local-store.ts";
import type { JobRecord } from "../../store/records.ts";
import { SpanFileSink } from "../../telemetry/span-file-sink.ts";
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
import { evalStats } from "../eval/stats.ts";
import { styleFor } from "../eval/style.ts";
import { type CliIO, type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud eval [source] [agent] [options]

Run an agent over the tasks of a source and report the rewards. Every run is stored (see hud jobs).
source: tasks.ts/.js, .json/.jsonl, or a directory (default: the one task source in the current directory)
agent:  oracle (the reference solutions), nop (empty answers), human (you, at the terminal)

Options:
  --all                  run every task (default: only the first)
  --full                 --all with a larger step budget (--max-steps ${FULL_MAX_STEPS})
  --task-ids a,b,0       run these tasks: slugs, template ids or 0-based indexes
  --group <n>            repeats per task (also --group-size; default 1)
  --max-concurrent <n>   rollouts at once (default 30)
  --max-steps <n>        agent step budget (default 10)
  -m, --model <id>       model for model agents
  -c, --config k=v       agent setting (repeatable; true/false/numbers parsed)
  --runtime <where>      local (a hud serve child per rollout; default) or tcp://host:port
  --shared               with local: one child per environment, shared by its rollouts
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
  const agent = builtinAgent(agentName, { output: log });
  const taskset = await Taskset.fromFile(source);
  const { tasks, onlyFirstOf } = plan.resumeSlugs
    ? { tasks: resumedTasks(taskset.tasks, plan.resumeSlugs, source), onlyFirstOf: undefined }
    : selectTasks(taskset.tasks, { all: plan.all, taskIds: plan.taskIds });
  if (onlyFirstOf !== undefined) {
    io.stderr(
      `note: running only the first of ${onlyFirstOf} tasks ('${tasks[0]!.slug}'); pass --all to run them all\n`,
    );
  }
  const group = plan.group ?? 1;
  const job = resumed
    ? store.loadJob(resumed.id)
    : new Job({ name: defaultJobName(taskset.name, tasks, group), group });
  const slugs = tasks.map((t) => t.slug);
  if (!resumed) {
    store.setJobMeta(job.id, { source, agent: agentName, model: plan.model, config: jobConfig(plan, slugs) });
  }
  const where = await evalPlacement(plan.runtime, source, {
    shared: plan.shared,
    width: plan.maxConcurrent,
    onWarning: (message) => io.stderr(`warning: ${message}\n`),
  });
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
    const { job, slugs, seconds, style, log, agentName } = await evaluate(plan, resumed, io, store);
    const interrupted = io.signal.aborted;
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
        duration_s: Number(seconds.toFixed(3)),
        agent: agentName,
        model: plan.model ?? null,
      };
      io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const context = { jobId: job.id, name: job.name, agent: agentName, seconds, interrupted };
      log(`${renderSummary(stats, context, style).join("\n")}\n`);
    }
    if (interrupted) return 130;
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
