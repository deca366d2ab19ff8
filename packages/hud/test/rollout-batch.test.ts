// Failure isolation across a batch: env death, agent errors, both timeouts in one Taskset.run; cancelling a job.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type Agent,
  Environment,
  type Lease,
  LocalRuntime,
  type Placement,
  rollout,
  Shared,
  SubprocessRuntime,
  Task,
  Taskset,
} from "hud";
import { describe, expect, it } from "vitest";
import { isAlive } from "./fixtures/runtime/processes.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

function solveAdd(prompt: unknown): string {
  const [, a, b] = String(prompt).split(":");
  return String(Number(a) + Number(b));
}

describe("a batch with failing rollouts", () => {
  it("env death, agent error, agent timeout and rollout timeout each end as the reference says; the rest is unaffected", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hud-batch-"));
    defer(() => rm(dir, { recursive: true, force: true }));
    const marks = join(dir, "marks");
    const sub = new SubprocessRuntime(new URL("./fixtures/rollout/sums-env.ts", import.meta.url).pathname, {
      vars: { HUD_FIXTURE_MARKS: marks },
      killTimeout: 2,
    });
    const leases = new Map<string, Lease & { pid?: number }>();
    const placement: Placement = async (task) => {
      const lease = await sub(task);
      leases.set(String(task.args.tag), lease);
      return lease;
    };
    // Every child is gone after the test, whatever happened (disposal is idempotent).
    defer(async () => {
      await Promise.allSettled([...leases.values()].map((lease) => lease[Symbol.asyncDispose]()));
    });

    const agent: Agent = async (run) => {
      const tag = String(run.task.args.tag);
      if (tag === "dies") {
        const pid = leases.get(tag)!.pid!;
        process.kill(-pid, "SIGKILL");
        await waitUntil(() => !isAlive(pid), "the env process died");
      }
      if (tag === "throws") throw new Error("agent threw");
      run.trace.content = solveAdd(run.prompt);
      if (tag === "agent-timeout" || tag === "rollout-timeout") await new Promise(() => {});
    };

    const row = (tag: string, extra: { agent_config?: Record<string, unknown> } = {}) =>
      new Task({ env: "sums", id: "add", args: { a: 2, b: 3, tag }, ...extra });
    const tags = ["n1", "dies", "n2", "throws", "agent-timeout", "rollout-timeout", "n3"];
    const rows = tags.map((tag) =>
      row(tag, tag === "agent-timeout" ? { agent_config: { timeout_seconds: 1 } } : {}),
    );
    const job = await new Taskset("batch", rows).run(agent, { runtime: placement, rolloutTimeout: 8 });

    const byTag = Object.fromEntries(job.runs.map((run) => [String(run.task.args.tag), run]));
    expect(job.runs.map((run) => run.task.args.tag)).toEqual(tags);
    for (const tag of ["n1", "n2", "n3"]) {
      expect(byTag[tag]!.reward).toBe(1);
      expect(byTag[tag]!.trace.status).toBe("completed");
    }

    const dies = byTag.dies!;
    expect(dies.trace.status).toBe("error");
    expect(dies.trace.error).toMatch(/^\[grading\] ConnectionClosedError: /);
    expect(dies.grade.raw).toEqual({});
    expect(dies.prompt).toBe("add:2:3");

    const throws = byTag.throws!;
    expect(throws.trace.status).toBe("error");
    expect(throws.trace.error).toBe("[agent loop] Error: agent threw");
    expect(throws.grade.raw).toEqual({ score: 0 });

    const agentTimeout = byTag["agent-timeout"]!;
    expect(agentTimeout.trace.status).toBe("error");
    expect(agentTimeout.trace.stop_reason).toBe("timeout");
    expect(agentTimeout.trace.steps.some((s) => s.error === "agent timed out after 1s")).toBe(true);
    expect(agentTimeout.reward).toBe(1);

    const rolloutTimeout = byTag["rollout-timeout"]!;
    expect(rolloutTimeout.trace.status).toBe("error");
    expect(rolloutTimeout.trace.stop_reason).toBe("timeout");
    expect(rolloutTimeout.trace.error).toBe("rollout timed out after 8s during agent loop");
    expect(rolloutTimeout.grade.raw).toEqual({});

    // Counted: three normal rows, the thrower's graded 0, the agent timeout's graded 1.
    expect(job.reward).toBe(0.8);
    expect(job.errors.map((run) => run.task.args.tag)).toEqual(["dies", "rollout-timeout"]);

    // Inside the children: graded tasks closed, the timed-out task cancelled (its finally ran), the dead one silent.
    const lines = readFileSync(marks, "utf8").trim().split("\n").sort();
    expect(lines).toEqual(
      [
        "agent-timeout:finally",
        "agent-timeout:graded",
        "n1:finally",
        "n1:graded",
        "n2:finally",
        "n2:graded",
        "n3:finally",
        "n3:graded",
        "rollout-timeout:finally",
        "throws:finally",
        "throws:graded",
      ].sort(),
    );

    // Every lease is released, the timed-out one in the background.
    for (const [tag, lease] of leases) {
      await waitUntil(() => !isAlive(lease.pid!), `the ${tag} env process exited`, 20);
    }
  }, 60_000);
});

describe("cancelling a job", () => {
  function waitingEnv() {
    const probe = { finallyRan: 0 };
    const env = new Environment({ name: "waits" });
    const handle = env.template("wait", async function* (args) {
      try {
        const answer = yield `wait ${args.n}`;
        yield answer === "done" ? 1 : 0;
      } finally {
        probe.finallyRan++;
      }
    });
    const rows = [1, 2, 3, 4, 5].map((n) => handle({ n }));
    return { probe, rows };
  }

  it("aborting stops scheduling; running rollouts end cancelled and ungraded; resuming reruns them", async () => {
    const { probe, rows } = waitingEnv();
    const controller = new AbortController();
    const started: string[] = [];
    const agent: Agent = async (run) => {
      started.push(run.slug);
      if (started.length === 2) controller.abort();
      await sleep(60_000, undefined, { signal: run.signal }).catch(() => {});
    };
    const job = await new Taskset("waits", rows).run(agent, { maxConcurrent: 2, signal: controller.signal });
    expect(started).toHaveLength(2);
    expect(job.runs).toHaveLength(2);
    for (const run of job.runs) {
      expect(run.trace.status).toBe("cancelled");
      expect(run.trace.error).toBe("rollout cancelled during agent loop");
      expect(run.grade.raw).toEqual({});
      expect(run.signal.aborted).toBe(true);
    }
    expect(probe.finallyRan).toBe(2);
    expect(job.errors).toEqual([]);
    expect(job.reward).toBe(0);

    const resumed = await new Taskset("waits", rows).run(
      async (run) => {
        run.trace.content = "done";
      },
      { job },
    );
    expect(resumed).toBe(job);
    expect(job.runs.map((run) => run.slug).sort()).toEqual(rows.map((row) => row.slug).sort());
    expect(job.runs.every((run) => run.trace.status === "completed")).toBe(true);
    expect(job.reward).toBe(1);
  });

  it("an agent that ignores the abort does not hold the job", async () => {
    const { probe, rows } = waitingEnv();
    const controller = new AbortController();
    const agent: Agent = async () => {
      controller.abort();
      await new Promise(() => {});
    };
    const job = await new Taskset("waits", rows.slice(0, 1)).run(agent, { signal: controller.signal });
    expect(job.runs.map((run) => run.trace.status)).toEqual(["cancelled"]);
    expect(probe.finallyRan).toBe(1);
  });

  it("rollout() with an already-aborted signal places nothing and ends cancelled", async () => {
    let placed = 0;
    const run = await rollout(new Task({ env: "waits", id: "wait" }), async () => {}, {
      signal: AbortSignal.abort(),
      runtime: async () => {
        placed++;
        throw new Error("unreachable");
      },
    });
    expect(placed).toBe(0);
    expect(run.trace.status).toBe("cancelled");
    expect(run.grade.raw).toEqual({});
  });

  it("an already-aborted signal runs nothing", async () => {
    const { probe, rows } = waitingEnv();
    let ran = 0;
    const job = await new Taskset("waits", rows).run(
      async () => {
        ran++;
      },
      { signal: AbortSignal.abort() },
    );
    expect(ran).toBe(0);
    expect(job.runs).toEqual([]);
    expect(probe.finallyRan).toBe(0);
  });
});

describe("starting many rollouts at once", () => {
  function pingEnv(): Environment {
    const env = new Environment({ name: "ping" });
    env.template("ping", async function* () {
      const answer = yield "ping";
      yield answer === "pong" ? 1 : 0;
    });
    return env;
  }

  it("sets up 16 at a time, so the first agents start before the later rollouts are placed", async () => {
    const shared = new Shared(new LocalRuntime(pingEnv()), { width: 200 });
    defer(() => shared.close());
    let placed = 0;
    let placedWhenFirstAgentStarted: number | undefined;
    const placement: Placement = (task) => {
      placed++;
      return shared(task);
    };
    const agent: Agent = async (run) => {
      placedWhenFirstAgentStarted ??= placed;
      await sleep(50);
      run.trace.content = "pong";
    };
    const job = await new Task({ env: "ping", id: "ping" }).run(agent, {
      runtime: placement,
      group: 200,
      maxConcurrent: 200,
    });
    expect(job.runs).toHaveLength(200);
    expect(job.reward).toBe(1);
    // Breadth-first, all 200 would be placed before any agent ran.
    expect(placedWhenFirstAgentStarted).toBeLessThanOrEqual(17);
  });

  it("a slow setup does not hold back the others", async () => {
    const shared = new Shared(new LocalRuntime(pingEnv()), { width: 64 });
    defer(() => shared.close());
    const placement: Placement = async (task) => {
      await sleep(400);
      return shared(task);
    };
    const started = performance.now();
    const job = await new Task({ env: "ping", id: "ping" }).run(
      async (run) => {
        run.trace.content = "pong";
      },
      { runtime: placement, group: 64, maxConcurrent: 64 },
    );
    expect(job.reward).toBe(1);
    // 16 at a time until each set up would take 4 × 400 ms; each slot frees after 25 ms instead.
    expect(performance.now() - started).toBeLessThan(1200);
  });
});
