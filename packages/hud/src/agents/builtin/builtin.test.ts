// The model-free agents against a real in-process environment: oracle, nop, human, and the registry.
import { readFile, stat } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Capability } from "../../capabilities/capability.ts";
import type { HudClient } from "../../client/client.ts";
import { Environment } from "../../environment/environment.ts";
import { Task } from "../../environment/task.ts";
import { invokeAgent } from "../../eval/agent.ts";
import { rollout } from "../../eval/rollout.ts";
import { Run } from "../../eval/run.ts";
import type { AgentStep } from "../../eval/trace.ts";
import { LocalRuntime } from "../../runtime/local.ts";
import { human } from "./human.ts";
import { nop } from "./nop.ts";
import { oracle } from "./oracle.ts";
import { builtinAgent } from "./registry.ts";

const env = new Environment({ name: "builtin-agents" });
const echo = env.template(
  { id: "echo", args: z.object({ text: z.string() }), solution: ({ text }) => text },
  async function* ({ text }) {
    const answer = yield `Say ${text}`;
    yield answer === text ? 1 : 0;
  },
);
const structured = env.template({ id: "structured", solution: () => ({ n: 3 }) }, async function* () {
  const answer = yield "Give an object";
  yield answer === '{"n":3}' ? 1 : 0;
});
const unsolved = env.template("unsolved", async function* () {
  yield "No solution for this one";
  yield 0.5;
});

const runtime = new LocalRuntime(env);

describe("oracle", () => {
  it("submits the reference solution and records it as the agent's step", async () => {
    const run = await rollout(echo({ text: "hi" }), oracle, { runtime });
    expect(run.reward).toBe(1);
    expect(run.trace.content).toBe("hi");
    const step = run.trace.steps.find((s) => s.source === "agent") as AgentStep;
    expect(step).toMatchObject({ content: "hi", done: true });
  });

  it("JSON-encodes answers that are not strings", async () => {
    const run = await rollout(structured(), oracle, { runtime });
    expect(run.trace.content).toBe('{"n":3}');
    expect(run.reward).toBe(1);
  });

  it("a template without a solution is a clear error on the trace, not a crash", async () => {
    const run = await rollout(unsolved(), oracle, { runtime });
    expect(run.trace.status).toBe("error");
    expect(run.trace.error).toContain("no reference solution for 'unsolved'");
  });
});

describe("nop", () => {
  it("submits an empty answer", async () => {
    const run = await rollout(echo({ text: "hi" }), nop, { runtime });
    expect(run.trace.content).toBe("");
    expect(run.reward).toBe(0);
    expect(run.trace.status).toBe("completed");
  });
});

function fakeRun(bindings: Capability[]): Run {
  const run = new Run({ task: new Task({ env: "e", id: "t" }) });
  run.prompt = "What is 6 x 7?";
  run.client = { bindings } as unknown as HudClient;
  return run;
}

describe("human", () => {
  it("prints the prompt and how to reach each capability, then reads lines up to '.'", async () => {
    const input = new PassThrough();
    let shown = "";
    const agent = builtinAgent("human", {
      input,
      output: (text) => {
        shown += text;
      },
    });
    const ssh = Capability.ssh({
      url: "ssh://127.0.0.1:2222",
      user: "dev",
      hostPubkey: "ssh-ed25519 AAAA",
      clientKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----",
    });
    const mcp = Capability.mcp({ name: "tools", url: "http://127.0.0.1:9000/mcp" });
    const vnc = Capability.rfb({ name: "screen", url: "rfb://127.0.0.1:5901" });
    const run = fakeRun([ssh, mcp, vnc]);
    const pending = invokeAgent(agent, run);
    while (!shown.includes("Type your answer")) await new Promise((r) => setTimeout(r, 5));
    const match = /shell: ssh -i (\S+) -p 2222 dev@127\.0\.0\.1\n/.exec(shown);
    expect(match, shown).not.toBeNull();
    const keyFile = match![1]!;
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(keyFile, "utf8")).toContain("abc");
    expect(shown).toContain("What is 6 x 7?");
    expect(shown).toContain("tools: mcp http://127.0.0.1:9000/mcp");
    expect(shown).toContain("screen: rfb/3.8 rfb://127.0.0.1:5901");
    input.write("forty\r\ntwo\n.\nnext answer\n");
    await pending;
    expect(run.trace.content).toBe("forty\ntwo");
    await expect(stat(keyFile)).rejects.toThrow();
    // The rest of the input waits for the next rollout; end of input ends it.
    const second = fakeRun([]);
    const next = invokeAgent(agent, second);
    input.end();
    await next;
    expect(second.trace.content).toBe("next answer");
  });

  it("stops waiting when the run is cancelled", async () => {
    const input = new PassThrough();
    const agent = human({ input, output: () => {} });
    const run = fakeRun([]);
    const pending = invokeAgent(agent, run);
    run.abort("rollout cancelled");
    await expect(pending).rejects.toThrow("rollout cancelled");
  });
});

describe("builtinAgent", () => {
  it("knows the model-free agents and refuses the reference's agents that have no provider here", () => {
    expect(builtinAgent("oracle")).toBe(oracle);
    expect(builtinAgent("nop")).toBe(nop);
    expect(() => builtinAgent("browser_use")).toThrow(
      "agent 'browser_use' is not available in hud for TypeScript yet",
    );
    expect(() => builtinAgent("robot")).toThrow(
      "unknown agent 'robot' (built-in: oracle, nop, human, replay; model agents: claude, openai, gemini, openai_compatible, or a model id such as claude-sonnet-4-5)",
    );
  });
});
