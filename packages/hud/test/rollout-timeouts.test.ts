// rollout() time limits, after the Python SDK's cases (python-sdk §9, 39 and 43–50): agent timeout, rollout timeout.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type Agent,
  Environment,
  HudClient,
  Job,
  type Lease,
  LocalRuntime,
  type Placement,
  type Run,
  rollout,
  Task,
} from "hud";
import { afterEach, describe, expect, it, vi } from "vitest";
import { actorAndJudge } from "./support/verifier-envs.ts";
import { waitUntil } from "./support/wait.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const addTask = (agentConfig?: Record<string, unknown>) =>
  new Task({ env: "sums", id: "add", args: { a: 2, b: 3 }, agent_config: agentConfig });

/** The `sums` env; `probe.finallyRan` counts template `finally` blocks (the task was closed or cancelled). */
function sumsEnv() {
  const probe = { finallyRan: 0 };
  const env = new Environment({ name: "sums" });
  env.template("add", async function* (args) {
    try {
      const answer = yield `add:${args.a}:${args.b}`;
      yield answer === String(Number(args.a) + Number(args.b)) ? 1 : 0;
    } finally {
      probe.finallyRan++;
    }
  });
  return { env, probe };
}

/** Answers "5", then works until its run is aborted (recording that it saw the abort). */
function slowAgent() {
  const seen = { aborted: false };
  const agent: Agent = async (run) => {
    run.trace.content = "5";
    try {
      await sleep(60_000, undefined, { signal: run.signal });
    } catch {
      seen.aborted = true;
    }
  };
  return { agent, seen };
}

const answers =
  (text: string) =>
  async (run: Run): Promise<void> => {
    run.trace.content = text;
  };

/** Answers "5", then never returns and ignores its signal. */
const stuckAgent: Agent = async (run) => {
  run.trace.content = "5";
  await new Promise(() => {});
};

/** A lease whose teardown waits for `release()`: a provider whose cleanup is slow. */
function gatedCleanup(inner: Placement, gatedEnv?: string) {
  const state = { started: false, finished: false, release: () => {} };
  const gate = new Promise<void>((resolve) => {
    state.release = resolve;
  });
  const placement: Placement = async (task) => {
    const lease = await inner(task);
    const gated = gatedEnv === undefined || task.env === gatedEnv;
    return {
      url: lease.url,
      async [Symbol.asyncDispose]() {
        await lease[Symbol.asyncDispose]();
        if (!gated) return;
        state.started = true;
        await gate;
        state.finished = true;
      },
    };
  };
  return { placement, state };
}

function errors(run: Run): string[] {
  return run.trace.steps.flatMap((s) => (s.error ? [s.error] : []));
}

describe("agent timeout", () => {
  it("a row's agent_config.timeout_seconds stops the agent; grading still happens and counts (44)", async () => {
    const { env } = sumsEnv();
    const { agent, seen } = slowAgent();
    const run = await rollout(addTask({ timeout_seconds: 0.05 }), agent, { runtime: new LocalRuntime(env) });
    expect(run.reward).toBe(1);
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(errors(run)).toEqual(["agent timed out after 0.05s"]);
    expect(run.signal.aborted).toBe(true);
    await waitUntil(() => seen.aborted, "the agent saw its abort");
    const job = new Job({ name: "timeout", runs: [run] });
    expect(job.reward).toBe(1);
    expect(job.errors).toEqual([]);
  });

  it("the agent's own config.timeoutSeconds applies when the row sets none; the row's wins", async () => {
    const { env } = sumsEnv();
    const local = new LocalRuntime(env);
    const { agent } = slowAgent();
    const configured = { run: agent, config: { timeoutSeconds: 0.05, model: "m-1" } };
    const run = await rollout(addTask(), configured, { runtime: local });
    expect(errors(run)).toEqual(["agent timed out after 0.05s"]);
    expect(run.model).toBe("m-1");
    const quick: Agent = { run: answers("5"), config: { timeoutSeconds: 0.01 } };
    const relaxed = await rollout(addTask({ timeout_seconds: 30 }), quick, { runtime: local });
    expect(relaxed.trace.status).toBe("completed");
    const unlimited = await rollout(addTask({ timeout_seconds: null }), quick, { runtime: local });
    expect(unlimited.trace.status).toBe("completed");
  });

  it("a cooperative agent stops its work at the timeout, before grading (39)", async () => {
    const { env } = sumsEnv();
    let late = false;
    const agent: Agent = async (run) => {
      run.trace.content = "5";
      await sleep(3_000, undefined, { signal: run.signal });
      late = true;
    };
    const run = await rollout(addTask({ timeout_seconds: 0.2 }), agent, { runtime: new LocalRuntime(env) });
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.reward).toBe(1);
    await sleep(50);
    expect(late).toBe(false);
  });

  for (const timeout of [undefined, 10]) {
    it(`an agent's own TimeoutError is an ordinary failure, not the deadline (agent timeout ${timeout}) (45)`, async () => {
      const { env } = sumsEnv();
      const agent: Agent = async (run) => {
        run.trace.content = "5";
        throw new DOMException("provider timed out", "TimeoutError");
      };
      const task = addTask(timeout === undefined ? undefined : { timeout_seconds: timeout });
      const run = await rollout(task, agent, { runtime: new LocalRuntime(env) });
      expect(run.reward).toBe(1);
      expect(run.trace.status).toBe("error");
      expect(run.trace.stop_reason).toBeUndefined();
      expect(run.trace.error).toBe("[agent loop] TimeoutError: provider timed out");
      expect(errors(run).some((e) => e.includes("agent timed out after"))).toBe(false);
    });
  }
});

describe("rollout timeout", () => {
  it("expires during the agent loop: errored, ungraded, agent aborted, env task cancelled (43)", async () => {
    const { env, probe } = sumsEnv();
    const { agent, seen } = slowAgent();
    const run = await rollout(addTask(), agent, { runtime: new LocalRuntime(env), rolloutTimeout: 0.2 });
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 0.2s during agent loop");
    expect(run.grade.raw).toEqual({});
    expect(run.trace_id).toBeDefined();
    expect(run.prompt).toBe("add:2:3");
    await waitUntil(() => seen.aborted, "the agent saw its abort", 1);
    await waitUntil(() => probe.finallyRan === 1, "the env task's finally ran", 1);
    expect(new Job({ name: "j", runs: [run] }).errors).toEqual([run]);
  });

  it("does not wait for an agent that ignores its signal; the lease is still released", async () => {
    const { env, probe } = sumsEnv();
    let released = false;
    const local = new LocalRuntime(env);
    const run = await rollout(addTask(), stuckAgent, {
      rolloutTimeout: 0.2,
      runtime: async (task) => {
        const lease = await local(task);
        return {
          url: lease.url,
          async [Symbol.asyncDispose]() {
            await lease[Symbol.asyncDispose]();
            released = true;
          },
        };
      },
    });
    expect(run.trace.stop_reason).toBe("timeout");
    expect(probe.finallyRan).toBe(1);
    await waitUntil(() => released, "the lease was released");
  });

  it("expires while grading: errored and ungraded (46)", async () => {
    const env = new Environment({ name: "sums" });
    let gradingStarted = false;
    env.template("add", async function* () {
      yield "add:2:3";
      gradingStarted = true;
      await new Promise(() => {});
      yield 1;
    });
    const run = await rollout(addTask(), answers("5"), {
      runtime: new LocalRuntime(env),
      rolloutTimeout: 0.2,
    });
    expect(gradingStarted).toBe(true);
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 0.2s during grading");
    expect(run.grade.raw).toEqual({});
    expect(run.reward).toBe(0);
  });

  it("expires while grading: the environment's grading is told to stop (46)", async () => {
    const env = new Environment({ name: "sums" });
    let stopped: string | undefined;
    env.template("add", async function* (_args, { signal }) {
      yield "add:2:3";
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      stopped = (signal.reason as Error).message;
      yield 1;
    });
    const run = await rollout(addTask(), answers("5"), {
      runtime: new LocalRuntime(env),
      rolloutTimeout: 0.2,
    });
    expect(run.trace.error).toBe("rollout timed out after 0.2s during grading");
    await waitUntil(() => stopped !== undefined, "the template saw its signal abort");
    expect(stopped).toBe("the runner's connection closed");
  });

  it("a tasks.cancel that never answers is bounded: the connection is aborted (47)", async () => {
    const { env } = sumsEnv();
    const cancel = vi.spyOn(HudClient.prototype, "cancel").mockImplementation(() => new Promise(() => {}));
    const abort = vi.spyOn(HudClient.prototype, "abort");
    const { agent } = slowAgent();
    const run = await rollout(addTask(), agent, { runtime: new LocalRuntime(env), rolloutTimeout: 0.2 });
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(abort).toHaveBeenCalledTimes(1);
  });

  it("counts the provider's cleanup but does not wait for it; the grade is kept (48)", async () => {
    const { env } = sumsEnv();
    const { placement, state } = gatedCleanup(new LocalRuntime(env));
    const run = await rollout(addTask(), answers("5"), {
      runtime: placement,
      rolloutTimeout: 1,
    });
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 1s during cleanup");
    expect(run.reward).toBe(1);
    expect(state.started).toBe(true);
    expect(state.finished).toBe(false);
    state.release();
    await waitUntil(() => state.finished, "the cleanup finished");
  });

  it("expiring during the actor's cleanup never provisions the verifier (49)", async () => {
    const actor = new Environment({ name: "actor" });
    actor.template("solve", async function* () {
      const answer = yield "answer secret";
      yield { score: 0.25, answer };
    });
    const placed: string[] = [];
    const local = new LocalRuntime(actor);
    const { placement, state } = gatedCleanup(async (task) => {
      placed.push(task.env);
      if (task.env === "judge") throw new Error("verifier started after the rollout returned");
      return local(task);
    });
    const task = new Task({ env: "actor", id: "solve", verifier: { env: "judge", id: "verify" } });
    const run = await rollout(task, answers("secret"), {
      runtime: placement,
      rolloutTimeout: 1,
    });
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 1s during actor cleanup");
    expect(placed).toEqual(["actor"]);
    state.release();
    await waitUntil(() => state.finished, "the actor cleanup finished");
    await sleep(20);
    expect(placed).toEqual(["actor"]);
  });

  it("does not cut the verifier's cleanup short; the verifier's grade is kept (50)", async () => {
    const { actor, judge } = actorAndJudge();
    const envs: Record<string, LocalRuntime> = {
      actor: new LocalRuntime(actor),
      judge: new LocalRuntime(judge),
    };
    const { placement, state } = gatedCleanup((task) => envs[task.env]!(task), "judge");
    const task = new Task({ env: "actor", id: "solve", verifier: { env: "judge", id: "verify" } });
    const run = await rollout(task, answers("secret"), {
      runtime: placement,
      rolloutTimeout: 1,
    });
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 1s during cleanup");
    expect(run.reward).toBe(1);
    expect(state.started).toBe(true);
    expect(state.finished).toBe(false);
    state.release();
    await waitUntil(() => state.finished, "the verifier cleanup finished");
  });

  it("expiring while provisioning: a failed Run; a lease that arrives later is released on arrival", async () => {
    let arrive: (lease: Lease) => void = () => {};
    let released = false;
    const run = await rollout(addTask(), stuckAgent, {
      rolloutTimeout: 0.2,
      runtime: () =>
        new Promise<Lease>((resolve) => {
          arrive = resolve;
        }),
    });
    expect(run.trace.status).toBe("error");
    expect(run.trace.stop_reason).toBe("timeout");
    expect(run.trace.error).toBe("rollout timed out after 0.2s during provisioning");
    expect(run.prompt).toBeNull();
    expect(run.runtime).toBeUndefined();
    arrive({
      url: "tcp://127.0.0.1:9",
      async [Symbol.asyncDispose]() {
        released = true;
      },
    });
    await waitUntil(() => released, "the late lease was released");
  });
});
