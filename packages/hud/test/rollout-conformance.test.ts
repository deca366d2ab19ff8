// rollout() against the Python SDK's own rollout cases (python-sdk §9, 26–42 and 51–57): answers, verifiers, failures.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Agent,
  Answer,
  bind,
  Environment,
  Job,
  type Lease,
  LocalRuntime,
  type Placement,
  type Run,
  rollout,
  SubprocessRuntime,
  Task,
  Taskset,
} from "hud";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isAlive, readJsonFile } from "./fixtures/runtime/processes.ts";
import { useCleanup } from "./support/cleanup.ts";
import { actorAndJudge } from "./support/verifier-envs.ts";

const fixture = (name: string) => new URL(`./fixtures/rollout/${name}`, import.meta.url).pathname;
const defer = useCleanup();

const addTask = (a: number, b: number) => new Task({ env: "sums", id: "add", args: { a, b } });

function solveAdd(prompt: unknown): string {
  const [, a, b] = String(prompt).split(":");
  return String(Number(a) + Number(b));
}

/** Answers each run with `answer(prompt)`. */
const answering =
  (answer: (prompt: unknown) => string = solveAdd): Agent =>
  async (run) => {
    run.trace.content = answer(run.prompt);
  };

/** Answers, then throws: the env already has a gradable answer in hand. */
const answerThenBoom =
  (answer: (prompt: unknown) => string = solveAdd): Agent =>
  async (run) => {
    run.trace.content = answer(run.prompt);
    throw new Error("agent exploded after answering");
  };

/** The `sums` environment, in this process. */
function sumsEnv(): Environment {
  const env = new Environment({ name: "sums" });
  env.template("add", async function* (args) {
    const answer = yield `add:${args.a}:${args.b}`;
    yield answer === String(Number(args.a) + Number(args.b)) ? 1 : 0;
  });
  return env;
}

/** A placement serving each row's env in-process, logging `start:<env>` / `stop:<env>` around each lease. */
function recordingPlacement(envs: Record<string, Environment>, log: string[]): Placement {
  return async (task) => {
    log.push(`start:${task.env}`);
    const env = envs[task.env];
    if (!env) throw new Error(`no env ${task.env}`);
    const lease = await new LocalRuntime(env)(task);
    return {
      url: lease.url,
      async [Symbol.asyncDispose]() {
        try {
          await lease[Symbol.asyncDispose]();
        } finally {
          log.push(`stop:${task.env}`);
        }
      },
    };
  };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hud-rollout-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const verifiedTask = () => new Task({ env: "actor", id: "solve", verifier: { env: "judge", id: "verify" } });

function evaluateSteps(run: Run): string[] {
  return run.trace.steps.flatMap((s) => (s.task_call?.phase === "evaluate" ? [s.task_call.name] : []));
}

describe("rollout: answers and job ids", () => {
  it("grades the answer from a SubprocessRuntime env, with trace id, auto job id and runtime url (26)", async () => {
    const run = await rollout(addTask(2, 3), answering(), {
      runtime: new SubprocessRuntime(fixture("sums-env.ts")),
    });
    expect(run.reward).toBe(1);
    expect(run.trace.content).toBe("5");
    expect(run.trace.status).toBe("completed");
    expect(run.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.job_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.runtime).toMatch(/^unix:\/\/\/.+\/control\.sock$/);
    expect(run.trace.steps.map((s) => s.task_call?.phase ?? s.source)).toEqual(["setup", "user", "evaluate"]);
  });

  it("threads explicit job, group and trace ids (57)", async () => {
    const run = await rollout(addTask(1, 1), answering(), {
      runtime: new LocalRuntime(sumsEnv()),
      jobId: "j1",
      groupId: "g1",
      traceId: "t1",
    });
    expect([run.reward, run.job_id, run.group_id, run.trace_id]).toEqual([1, "j1", "g1", "t1"]);
  });

  it("calls the placement with the row being placed (52)", async () => {
    const placed: string[] = [];
    const sub = new SubprocessRuntime(fixture("sums-env.ts"));
    const run = await rollout(addTask(2, 3), answering(), {
      runtime: (task) => {
        placed.push(`${task.env}/${task.id}:${task.args.a}`);
        return sub(task);
      },
    });
    expect(run.reward).toBe(1);
    expect(placed).toEqual(["sums/add:2"]);
  });
});

describe("rollout: verifiers", () => {
  it("same env: the verifier replaces the actor grade on the same connection (27)", async () => {
    const env = new Environment({ name: "reviewed" });
    const completed: string[] = [];
    env.template("solve", async function* () {
      const answer = yield "answer secret";
      completed.push(`actor:${answer}`);
      yield { score: 0.25, answer };
    });
    env.template("verify", async function* (args) {
      const result = (yield "") as { answer: unknown };
      completed.push(`verifier:${result.answer}`);
      yield result.answer === args.expected ? 1 : 0;
    });
    const connections: string[] = [];
    const local = new LocalRuntime(env);
    const task = new Task({
      env: "reviewed",
      id: "solve",
      verifier: { env: "reviewed", id: "verify", args: { expected: "secret" } },
    });
    const run = await rollout(
      task,
      answering(() => "secret"),
      {
        runtime: async (row) => {
          connections.push(row.id);
          return local(row);
        },
      },
    );
    expect(run.reward).toBe(1);
    expect(run.trace.status).toBe("completed");
    expect(completed).toEqual(["actor:secret", "verifier:secret"]);
    expect(evaluateSteps(run)).toEqual(["solve", "verify"]);
    expect(connections).toEqual(["solve"]);
    // The verifier's start is a setup step; the prompt stays the actor's.
    expect(
      run.trace.steps.map((s) => `${s.source}:${s.task_call?.phase ?? ""}:${s.task_call?.name ?? ""}`),
    ).toEqual([
      "task:setup:solve",
      "user::",
      "task:evaluate:solve",
      "task:setup:verify",
      "task:evaluate:verify",
    ]);
    expect(run.prompt).toBe("answer secret");
  });

  it("the verifier receives the actor's grade frame; a `returns` schema parses it (28)", async () => {
    const env = new Environment({ name: "reviewed" });
    const received: unknown[] = [];
    env.template("solve", async function* () {
      const answer = yield "answer secret";
      yield { score: 0, answer };
    });
    env.template(
      { id: "verify", returns: z.object({ score: z.number(), answer: z.string() }) },
      async function* () {
        const answer = yield "";
        received.push(
          answer instanceof Answer ? (answer.content as { answer: string }).answer : "not an Answer",
        );
        yield 1;
      },
    );
    const task = new Task({ env: "reviewed", id: "solve", verifier: { env: "reviewed", id: "verify" } });
    const run = await rollout(
      task,
      answering(() => "secret"),
      { runtime: new LocalRuntime(env) },
    );
    expect(run.reward).toBe(1);
    expect(received).toEqual(["secret"]);
  });

  it("separate env: the actor's lease is released before the verifier's is placed (30)", async () => {
    const { actor, judge } = actorAndJudge();
    const log: string[] = [];
    const run = await rollout(
      verifiedTask(),
      answering(() => "secret"),
      {
        runtime: recordingPlacement({ actor, judge }, log),
      },
    );
    expect(run.reward).toBe(1);
    expect(log).toEqual(["start:actor", "stop:actor", "start:judge", "stop:judge"]);
    expect(evaluateSteps(run)).toEqual(["solve", "verify"]);
  });

  it("an agent error is recorded and the verifier still decides (31)", async () => {
    const { actor, judge } = actorAndJudge();
    const log: string[] = [];
    const run = await rollout(
      verifiedTask(),
      answerThenBoom(() => "secret"),
      {
        runtime: recordingPlacement({ actor, judge }, log),
      },
    );
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toContain("agent exploded after answering");
    expect(run.reward).toBe(1);
    expect(log.filter((e) => e.startsWith("start:"))).toEqual(["start:actor", "start:judge"]);
  });

  for (const agentFails of [false, true]) {
    it(`a failing actor grade is recorded and the verifier still decides${agentFails ? " (agent failed too)" : ""} (32)`, async () => {
      const { judge } = actorAndJudge();
      const actor = new Environment({ name: "actor" });
      actor.template("solve", async function* () {
        yield "answer secret";
        throw new Error("actor grade exploded");
      });
      const log: string[] = [];
      const agent = agentFails ? answerThenBoom(() => "secret") : answering(() => "secret");
      const run = await rollout(verifiedTask(), agent, {
        runtime: recordingPlacement({ actor, judge }, log),
      });
      expect(run.trace.isError).toBe(true);
      expect(run.trace.steps.some((s) => s.error?.includes("actor grade exploded"))).toBe(true);
      expect(run.reward).toBe(1);
      expect(log.filter((e) => e.startsWith("start:"))).toEqual(["start:actor", "start:judge"]);
    });
  }

  it("a scoreless actor grade is an error, but the verifier's grade counts (33)", async () => {
    const { judge } = actorAndJudge();
    const actor = new Environment({ name: "actor" });
    actor.template("solve", async function* () {
      yield "answer secret";
      yield { reward: 1 };
    });
    const run = await rollout(
      verifiedTask(),
      answering(() => "secret"),
      {
        runtime: recordingPlacement({ actor, judge }, []),
      },
    );
    const job = new Job({ name: "actor-scoreless", runs: [run] });
    expect(run.trace.isError).toBe(true);
    expect(run.trace.steps.some((s) => s.error?.includes("numeric 'score'"))).toBe(true);
    expect(run.reward).toBe(1);
    expect(run.grade.raw.score).toBe(1);
    expect(job.errors).toEqual([]);
  });

  it("a verifier that cannot be placed leaves the run errored and ungraded (34)", async () => {
    const { actor } = actorAndJudge();
    const local = new LocalRuntime(actor);
    const run = await rollout(
      verifiedTask(),
      answering(() => "secret"),
      {
        runtime: async (row) => {
          if (row.env === "judge") throw new Error("verifier unavailable");
          return local(row);
        },
      },
    );
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toBe("[provisioning verifier] Error: verifier unavailable");
    expect(run.grade.raw).toEqual({});
    expect(run.reward).toBe(0);
  });

  it("a verifier connection that dies while grading leaves the run ungraded, a job error (35)", async () => {
    const env = new Environment({ name: "reviewed" });
    let server: Awaited<ReturnType<typeof bind>> | undefined;
    env.template("solve", async function* () {
      yield "answer secret";
      yield 0.25;
    });
    env.template("verify", async function* () {
      yield "";
      await server!.close();
      yield 1;
    });
    const placement: Placement = async () => {
      server = await bind(env);
      defer(() => server?.close());
      return { url: server.url, [Symbol.asyncDispose]: () => server!.close() };
    };
    const task = new Task({ env: "reviewed", id: "solve", verifier: { env: "reviewed", id: "verify" } });
    const run = await rollout(
      task,
      answering(() => "secret"),
      { runtime: placement },
    );
    const job = new Job({ name: "verify-failed", runs: [run] });
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toMatch(
      /^\[verifying\] ConnectionClosedError: env closed connection during 'tasks\.grade'/,
    );
    expect(run.grade.raw).toEqual({});
    expect(job.errors).toEqual([run]);
  });

  it("a scoreless verifier frame leaves the run ungraded, a job error (35)", async () => {
    const env = new Environment({ name: "reviewed" });
    env.template("solve", async function* () {
      yield "answer secret";
      yield 0.25;
    });
    env.template("verify", async function* () {
      yield "";
      yield { reward: 1 };
    });
    const task = new Task({ env: "reviewed", id: "solve", verifier: { env: "reviewed", id: "verify" } });
    const run = await rollout(
      task,
      answering(() => "secret"),
      { runtime: new LocalRuntime(env) },
    );
    const job = new Job({ name: "verify-scoreless", runs: [run] });
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toContain("numeric 'score'");
    expect(run.grade.raw).toEqual({});
    expect(job.errors).toEqual([run]);
  });

  it("a verifier's 0 after an agent error is counted (36)", async () => {
    const env = new Environment({ name: "reviewed" });
    env.template("solve", async function* () {
      yield "answer secret";
      yield 0.25;
    });
    env.template("verify", async function* () {
      yield "";
      yield 0;
    });
    const task = new Task({ env: "reviewed", id: "solve", verifier: { env: "reviewed", id: "verify" } });
    const run = await rollout(
      task,
      answerThenBoom(() => "secret"),
      { runtime: new LocalRuntime(env) },
    );
    const job = new Job({ name: "verify-zero", runs: [run] });
    expect(run.trace.isError).toBe(true);
    expect(run.grade.raw.score).toBe(0);
    expect(job.reward).toBe(0);
    expect(job.errors).toEqual([]);
  });
});

describe("rollout: grade frames and start frames", () => {
  it("malformed subscores fail the run inside the rollout, mentioning `value`, evaluation {} (29)", async () => {
    const env = new Environment({ name: "malformed-grade" });
    env.template("solve", async function* () {
      yield "answer";
      yield { score: 1, subscores: [{ name: "missing-value" }] };
    });
    const run = await rollout(
      new Task({ env: "malformed-grade", id: "solve" }),
      answering(() => "done"),
      {
        runtime: new LocalRuntime(env),
      },
    );
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toMatch(/^\[grading\] .*value/);
    expect(run.evaluation).toEqual({});
    expect(run.grade.raw).toEqual({});
  });

  function bindingsEnv(published: unknown): Environment {
    const env = new Environment({ name: "slots" });
    env.template("claim", async function* () {
      yield { prompt: "go", bindings: published };
      yield 1;
    });
    return env;
  }

  it("start-frame bindings reach the agent as run.taskBindings (37)", async () => {
    const seen: unknown[] = [];
    const run = await rollout(
      new Task({ env: "slots", id: "claim" }),
      async (r) => {
        seen.push(r.taskBindings);
      },
      { runtime: new LocalRuntime(bindingsEnv({ robot: { token: "slot-2" } })) },
    );
    expect(seen).toEqual([{ robot: { token: "slot-2" } }]);
    expect(run.taskBindings).toEqual({ robot: { token: "slot-2" } });
    expect(run.reward).toBe(1);
  });

  for (const published of [{ robot: "slot-2" }, ["robot"], "robot"]) {
    it(`malformed start-frame bindings (${JSON.stringify(published)}) fail the rollout, naming 'bindings' (37)`, async () => {
      let agentRan = false;
      const run = await rollout(
        new Task({ env: "slots", id: "claim" }),
        async () => {
          agentRan = true;
        },
        { runtime: new LocalRuntime(bindingsEnv(published)) },
      );
      expect(run.trace.status).toBe("error");
      expect(run.trace.steps.at(-1)?.error).toMatch(/^\[starting task\] .*bindings/);
      expect(agentRan).toBe(false);
      expect(run.prompt).toBeNull();
    });
  }
});

describe("rollout: failures are recorded, never thrown", () => {
  it("an env whose startup fails: a failed Run with the message; its helper process is gone (40)", async () => {
    const pidFile = join(await tempDir(), "pids.json");
    const runtime = new SubprocessRuntime(fixture("startup-boom.ts"), {
      vars: { HUD_FIXTURE_PID_FILE: pidFile },
    });
    const run = await rollout(new Task({ env: "leaky", id: "noop" }), answering(), { runtime });
    const { helper } = await readJsonFile<{ helper: number }>(pidFile);
    defer(() => {
      if (isAlive(helper)) process.kill(helper, "SIGKILL");
    });
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toMatch(/^\[provisioning\] HudError: spawned env exited/);
    expect(run.trace.error).toContain("startup boom");
    expect(run.prompt).toBeNull();
    expect(run.runtime).toBeUndefined();
    expect(isAlive(helper)).toBe(false);
  });

  it("an agent that throws: errored, prompt and runtime kept, graded best effort (41)", async () => {
    const run = await rollout(
      addTask(2, 3),
      async () => {
        throw new Error("agent exploded");
      },
      { runtime: new SubprocessRuntime(fixture("sums-env.ts")) },
    );
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toBe("[agent loop] Error: agent exploded");
    expect(run.trace_id).toBeDefined();
    expect(run.prompt).toBe("add:2:3");
    expect(run.runtime).toMatch(/^unix:\/\/\//);
    expect(run.reward).toBe(0);
    expect(run.grade.raw).toEqual({ score: 0 });
  });

  it("an agent that answers then throws: still graded, the failure kept (42)", async () => {
    const run = await rollout(addTask(2, 3), answerThenBoom(), {
      runtime: new SubprocessRuntime(fixture("sums-env.ts")),
    });
    expect(run.trace.status).toBe("error");
    expect(run.trace.error).toContain("agent exploded after answering");
    expect(run.reward).toBe(1);
    expect(new Job({ name: "j", runs: [run] }).errors).toEqual([]);
  });

  it("a synchronous throw from a function agent is an agent failure", async () => {
    const run = await rollout(
      addTask(2, 3),
      (() => {
        throw new TypeError("not even async");
      }) as unknown as Agent,
      { runtime: new LocalRuntime(sumsEnv()) },
    );
    expect(run.trace.error).toBe("[agent loop] TypeError: not even async");
    expect(run.grade.raw).toEqual({ score: 0 });
  });

  it("a placement that throws: a failed Run with the message, no prompt or runtime (51)", async () => {
    const run = await rollout(addTask(1, 1), answering(), {
      runtime: async () => {
        throw new Error("no substrate for you");
      },
    });
    expect(run.trace.isError).toBe(true);
    expect(run.trace.error).toBe("[provisioning] Error: no substrate for you");
    expect(run.trace_id).toBeDefined();
    expect(run.prompt).toBeNull();
    expect(run.runtime).toBeUndefined();
    expect(run.grade.raw).toEqual({});
  });

  it("a placement that throws synchronously is isolated the same way (51)", async () => {
    const run = await rollout(addTask(1, 1), answering(), {
      runtime: (() => {
        throw new Error("sync placement failure");
      }) as unknown as Placement,
    });
    expect(run.trace.error).toBe("[provisioning] Error: sync placement failure");
  });

  it("a lease nobody serves: a failed Run naming the url, and the lease is released", async () => {
    let released = false;
    const lease: Lease = {
      url: "tcp://127.0.0.1:9",
      params: { ready_timeout: 0.3 },
      async [Symbol.asyncDispose]() {
        released = true;
      },
    };
    const run = await rollout(addTask(1, 1), answering(), { runtime: async () => lease });
    expect(run.trace.error).toMatch(
      /^\[starting task\] HudError: environment at tcp:\/\/127\.0\.0\.1:9 not ready after 0\.3s/,
    );
    expect(released).toBe(true);
  });

  it("an unknown template is a failure of `starting task`", async () => {
    const run = await rollout(new Task({ env: "sums", id: "nope" }), answering(), {
      runtime: new LocalRuntime(sumsEnv()),
    });
    expect(run.trace.error).toBe("[starting task] RpcError: unknown task: 'nope'");
    expect(run.runtime).toBeUndefined();
  });
});

describe("Task.run and Taskset.run", () => {
  const sub = () => new SubprocessRuntime(fixture("sums-env.ts"));

  it("Task.run is a job of one run reporting under the job (53)", async () => {
    const job = await addTask(2, 3).run(answering(), { runtime: sub() });
    expect(job.runs).toHaveLength(1);
    expect(job.reward).toBe(1);
    expect(job.runs[0]!.trace.content).toBe("5");
    expect(job.runs[0]!.job_id).toBe(job.id);
    expect(job.name).toBe("add");
  });

  it("group repeats share one group id (54)", async () => {
    const job = await addTask(1, 2).run(answering(), { runtime: sub(), group: 2, maxConcurrent: 1 });
    expect(job.group).toBe(2);
    expect(job.runs.map((r) => r.reward)).toEqual([1, 1]);
    expect(new Set(job.runs.map((r) => r.group_id)).size).toBe(1);
    expect(job.runs.map((r) => r.repeat)).toEqual([0, 1]);
    expect(job.name).toBe("add (2 times)");
  });

  it("runs accumulate into one job across calls; group defaults to the job's (55)", async () => {
    const session = new Job({ name: "session", group: 2 });
    const runtime = sub();
    const job1 = await addTask(1, 1).run(answering(), { runtime, job: session });
    const job2 = await addTask(2, 2).run(answering(), { runtime, job: session });
    expect(job1).toBe(session);
    expect(job2).toBe(session);
    expect(session.runs).toHaveLength(4);
    expect(new Set(session.runs.map((r) => r.job_id))).toEqual(new Set([session.id]));
    expect(session.reward).toBe(1);
  });

  it("one SubprocessRuntime serves each row's env of a mixed taskset (56)", async () => {
    const rows = [
      new Task({ env: "alpha", id: "which" }),
      new Task({ env: "beta", id: "which", slug: "which-b" }),
    ];
    const runtime = new SubprocessRuntime(
      new URL("./fixtures/runtime/two-envs.ts", import.meta.url).pathname,
    );
    const job = await new Taskset("zoo", rows).run(
      answering(() => "x"),
      { runtime },
    );
    expect(job.runs.map((r) => r.reward)).toEqual([1, 1]);
    expect(job.runs.map((r) => r.prompt)).toEqual(["served by alpha", "served by beta"]);
    expect(job.name).toBe("zoo (2 tasks)");
  });

  it("rows of live environments run without a placement; results keep expansion order", async () => {
    const env = sumsEnv();
    const handle = env.template("double", async function* (args) {
      const answer = yield `add:${args.n}:${args.n}`;
      yield answer === String(2 * Number(args.n)) ? 1 : 0;
    });
    const rows = [1, 2, 3].map((n) => handle({ n }));
    const job = await new Taskset("doubles", rows).run(answering(), { group: 2, maxConcurrent: 4 });
    expect(job.runs.map((r) => `${r.slug}#${r.repeat}:${r.reward}`)).toEqual(
      rows.flatMap((row) => [`${row.slug}#0:1`, `${row.slug}#1:1`]),
    );
    expect(new Set(job.runs.map((r) => r.group_id)).size).toBe(3);
  });

  it("rows without a live environment need a placement", async () => {
    await expect(addTask(1, 1).run(answering())).rejects.toThrow(/^no placement: pass \{ runtime \}/);
  });

  it("invalid timeouts are refused before anything runs", async () => {
    let placed = 0;
    const runtime: Placement = async () => {
      placed++;
      throw new Error("unreachable");
    };
    const row = new Task({
      env: "sums",
      id: "add",
      args: { a: 1, b: 1 },
      agent_config: { timeout_seconds: 5 },
    });
    await expect(row.run(answering(), { runtime, rolloutTimeout: 5 })).rejects.toThrow(
      `task '${row.slug}': the agent timeout (5s) must be below the rollout timeout (5s)`,
    );
    await expect(addTask(1, 1).run(answering(), { runtime, rolloutTimeout: 0 })).rejects.toThrow(
      "rolloutTimeout must be a positive number of seconds (got 0)",
    );
    await expect(addTask(1, 1).run(answering(), { runtime, maxConcurrent: 0 })).rejects.toThrow(
      /maxConcurrent/,
    );
    expect(placed).toBe(0);
  });

  it("marks what ran inside the child env (fixture self-check)", async () => {
    const marks = join(await tempDir(), "marks");
    const runtime = new SubprocessRuntime(fixture("sums-env.ts"), { vars: { HUD_FIXTURE_MARKS: marks } });
    const run = await rollout(
      new Task({ env: "sums", id: "add", args: { a: 1, b: 2, tag: "t" } }),
      answering(),
      {
        runtime,
      },
    );
    expect(run.reward).toBe(1);
    expect(readFileSync(marks, "utf8")).toBe("t:graded\nt:finally\n");
  });
});
