// File tracking in a rollout: an environment publishing filetracking/1, an agent editing files, the diffs in the trace.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Agent, Environment, LocalRuntime, LocalStore, type Run, rollout, Task } from "hud";
import { describe, expect, it } from "vitest";
import { Capability } from "../src/capabilities/capability.ts";
import { type FileTracking, startFileTracking } from "../src/environment/workspace/file-tracking-server.ts";
import { observeFileTracking, workspaceDiffOf } from "../src/eval/file-tracking-observer.ts";
import type { Step } from "../src/eval/trace.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An env whose workspace `root` is tracked while it runs; its task writes a file during setup. */
function trackedEnv(root: string): Environment {
  const env = new Environment({ name: "files" });
  let tracking: FileTracking | undefined;
  env.initialize(async () => {
    tracking = await startFileTracking(root);
    env.addCapability(tracking.capability);
  });
  env.shutdown(async () => {
    env.removeCapability("filetracking");
    await tracking?.stop();
  });
  env.template("edit", async function* () {
    await writeFile(join(root, "from-setup.txt"), "written by the task's setup\n");
    const answer = yield "edit hello.py";
    yield answer === "done" ? 1 : 0;
  });
  return env;
}

/**
 * The agent wrapped the way rollout() follows file tracking around the agent loop (a no-op when rollout
 * already follows the run).
 */
function tracked(agent: (run: Run) => Promise<void>, onWarning?: (message: string) => void): Agent {
  return async (run) => {
    const observer = await observeFileTracking(run, { onWarning });
    try {
      await agent(run);
    } finally {
      await observer.finish();
    }
  };
}

function recordToolStep(run: Run, name: string): Step {
  return run.trace.record({
    source: "tool",
    call: { id: `call-${name}`, name, arguments: {} },
    result: { content: [{ type: "text", text: "ok" }], isError: false },
  });
}

function diffSteps(run: Run) {
  return run.trace.steps.flatMap((step) => {
    const extra = workspaceDiffOf(step);
    return extra ? [{ step, extra }] : [];
  });
}

describe("file tracking in a rollout", () => {
  it("records the diff after a tool call and the agent's last changes at the end, through the store", async () => {
    const root = await tempDir("hud-ws-");
    await writeFile(join(root, "README.md"), "# project\n");
    const home = await tempDir("hud-home-");
    const store = LocalStore.open(home);
    defer(() => store.close());
    const agent = tracked(async (run) => {
      await writeFile(join(root, "hello.py"), "print('hello')\n");
      recordToolStep(run, "write");
      await waitUntil(() => diffSteps(run).length > 0, "the write's diff is recorded");
      // No tool call for this one (as the oracle's solution): the end-of-agent flush records it.
      await writeFile(join(root, "hello.py"), "print('hello, world')\n");
      run.trace.content = "done";
    });
    const run = await rollout(new Task({ env: "files", id: "edit" }), agent, {
      runtime: new LocalRuntime(trackedEnv(root)),
      observer: store,
    });
    expect(run.reward).toBe(1);
    expect(run.trace.status).toBe("completed");
    const diffs = diffSteps(run);
    expect(diffs).toHaveLength(2);
    const [afterTool, atEnd] = diffs;
    const toolStep = run.trace.steps.find((s) => s.source === "tool")!;
    expect(afterTool!.step.source).toBe("system");
    expect(afterTool!.step.error).toBeUndefined();
    expect(afterTool!.extra).toMatchObject({ workspace: "filetracking", after_step_id: toolStep.step_id });
    expect(afterTool!.extra.workspace_diff.patches).toEqual([
      expect.objectContaining({
        path: "hello.py",
        status: "added",
        patch: "--- /dev/null\n+++ b/hello.py\n@@ -0,0 +1 @@\n+print('hello')\n",
      }),
    ]);
    expect(atEnd!.extra.after_step_id).toBeUndefined();
    expect(atEnd!.extra.workspace_diff.patches).toEqual([
      expect.objectContaining({
        path: "hello.py",
        status: "modified",
        patch: "--- a/hello.py\n+++ b/hello.py\n@@ -1 +1 @@\n-print('hello')\n+print('hello, world')\n",
      }),
    ]);
    // The task's own setup is not the agent's work; the end-of-agent diff comes before grading.
    expect(JSON.stringify(run.trace.steps)).not.toContain("from-setup.txt");
    const order = run.trace.steps.map((s) =>
      workspaceDiffOf(s) ? "diff" : (s.task_call?.phase ?? s.source),
    );
    expect(order.indexOf("diff")).toBeGreaterThan(order.indexOf("tool"));
    expect(order.lastIndexOf("diff")).toBe(order.indexOf("evaluate") - 1);
    // Stored as recorded.
    expect(store.trace(run.trace_id!).steps).toEqual(JSON.parse(JSON.stringify(run.trace.steps)));
  });

  it("records nothing when no file changed", async () => {
    const root = await tempDir("hud-ws-");
    const agent = tracked(async (run) => {
      recordToolStep(run, "read");
      run.trace.content = "done";
    });
    const run = await rollout(new Task({ env: "files", id: "edit" }), agent, {
      runtime: new LocalRuntime(trackedEnv(root)),
    });
    expect(run.reward).toBe(1);
    expect(diffSteps(run)).toEqual([]);
  });

  it("a tracker that cannot be reached costs one warning, never the rollout", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const env = new Environment({ name: "files" });
    env.addCapability(
      new Capability({ name: "filetracking", protocol: "filetracking/1", url: `tcp://127.0.0.1:${port}` }),
    );
    env.template("edit", async function* () {
      yield (yield "go") === "done" ? 1 : 0;
    });
    // Forwarder warnings (the tunnel's dial failing) and the observer's go to the same sink.
    const warnings: string[] = [];
    const onWarning = (message: string) => {
      if (message.includes("file tracking")) warnings.push(message);
    };
    const agent = tracked(async (run) => {
      recordToolStep(run, "write");
      run.trace.content = "done";
    }, onWarning);
    const run = await rollout(new Task({ env: "files", id: "edit" }), agent, {
      runtime: new LocalRuntime(env),
      connect: { onWarning },
    });
    expect(run.reward).toBe(1);
    expect(run.trace.status).toBe("completed");
    expect(diffSteps(run)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/file tracking 'filetracking' is off for this rollout/);
  });

  it("re-baselines with `advance` when the server does not offer a setup diff", async () => {
    const methods: string[] = [];
    const sockets: Socket[] = [];
    const empty = {
      snapshot_timestamp: "t",
      scan_duration_ms: 0,
      files_scanned: 0,
      files_changed: 0,
      patches: [],
    };
    const legacy = createServer((socket) => {
      sockets.push(socket);
      let buffered = "";
      socket.on("data", (chunk) => {
        buffered += chunk.toString();
        for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
          const request = JSON.parse(buffered.slice(0, at)) as { id: number; method: string };
          buffered = buffered.slice(at + 1);
          methods.push(request.method);
          const result =
            request.method === "advance"
              ? { advanced: true }
              : request.method === "flush"
                ? {
                    diff: empty,
                    capture: { ...empty, files_eligible: 0, files_captured: 0, files_skipped: 0, files: [] },
                  }
                : empty;
          socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: request.id, result })}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => legacy.listen(0, "127.0.0.1", resolve));
    defer(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          legacy.close(() => resolve());
        }),
    );
    const port = (legacy.address() as { port: number }).port;
    const env = new Environment({ name: "files" });
    env.addCapability(
      new Capability({
        name: "files",
        protocol: "filetracking/1",
        url: `tcp://127.0.0.1:${port}`,
        params: {},
      }),
    );
    env.template("edit", async function* () {
      yield (yield "go") === "done" ? 1 : 0;
    });
    const agent = tracked(async (run) => {
      recordToolStep(run, "write");
      await waitUntil(() => methods.includes("diff"), "the tool step is diffed");
      run.trace.content = "done";
    });
    const run = await rollout(new Task({ env: "files", id: "edit" }), agent, {
      runtime: new LocalRuntime(env),
    });
    expect(run.reward).toBe(1);
    expect(methods).toEqual(["advance", "diff", "flush"]);
    expect(diffSteps(run)).toEqual([]);
  });
});
