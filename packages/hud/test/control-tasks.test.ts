// Wire conformance over raw NDJSON: hello, tasks.list, tasks.start, tasks.grade, tasks.solve, method errors.
import { ErrorCode } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { errorOf, type Frame, type RawPeer } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";

const defer = useCleanup();

async function setup() {
  const { env, probe } = controlEnv();
  const { server, open } = await serveRaw(defer, env);
  return { server, probe, open, peer: await open() };
}

async function startAndGrade(peer: RawPeer, kind: string, answer: unknown = "x"): Promise<Frame> {
  await peer.call("tasks.start", { id: "graded", args: { kind } });
  return peer.request("tasks.grade", { answer });
}

describe("hello", () => {
  it("reports a sess-<8 hex> id, the env name and version, and the bindings; the reply echoes the id", async () => {
    const { peer, open } = await setup();
    peer.send({ jsonrpc: "2.0", id: 41, method: "hello", params: {} });
    const frame = await peer.next();
    expect(frame).toEqual({
      jsonrpc: "2.0",
      id: 41,
      result: {
        session_id: expect.stringMatching(/^sess-[0-9a-f]{8}$/),
        env: { name: "wire-test", version: "1.2.3" },
        bindings: [],
      },
    });
    const other = await (await open()).call("hello");
    expect(other.session_id).toMatch(/^sess-[0-9a-f]{8}$/);
    expect(other.session_id).not.toBe((frame.result as Frame).session_id);
  });

  it("accepts a hello without params and string request ids", async () => {
    const { peer } = await setup();
    peer.send({ jsonrpc: "2.0", id: "abc", method: "hello" });
    const frame = await peer.next();
    expect(frame.id).toBe("abc");
    expect((frame.result as Frame).session_id).toMatch(/^sess-/);
  });

  it("writes compact JSON, one frame per line", async () => {
    const { peer } = await setup();
    peer.send({ jsonrpc: "2.0", id: 1, method: "tasks.start", params: { id: "echo", args: { text: "hi" } } });
    expect(await peer.nextLine()).toBe('{"jsonrpc":"2.0","id":1,"result":{"prompt":"say hi"}}');
  });
});

describe("tasks.list", () => {
  it("lists one manifest entry per template with an object args schema", async () => {
    const { peer } = await setup();
    const { tasks } = (await peer.call("tasks.list")) as { tasks: Frame[] };
    const byId = new Map(tasks.map((t) => [t.id, t]));
    expect([...byId.keys()]).toEqual(
      expect.arrayContaining([
        "echo",
        "zargs",
        "framed",
        "chat",
        "boom",
        "graded",
        "typed",
        "tagged",
        "solvable",
      ]),
    );
    expect(byId.get("echo")).toEqual({
      id: "echo",
      description: "Repeat a text",
      args: {
        type: "object",
        properties: { text: { type: "string" } },
        required: ["text"],
        additionalProperties: false,
      },
    });
    const zargs = byId.get("zargs")!;
    expect(zargs.args).toMatchObject({
      type: "object",
      properties: { word: { type: "string" }, count: { type: "number" } },
      required: ["word"],
      additionalProperties: false,
    });
    expect(zargs.input).toEqual({ type: "object", properties: { note: { type: "string" } } });
    expect(zargs).not.toHaveProperty("returns");
    expect(byId.get("typed")!.returns).toMatchObject({
      type: "object",
      properties: { n: { type: "number" } },
    });
    // A template without an args schema accepts any keys.
    expect(byId.get("framed")).toMatchObject({
      description: "",
      args: { type: "object", additionalProperties: true },
    });
    for (const entry of tasks) expect(typeof entry.description).toBe("string");
  });
});

describe("tasks.start", () => {
  it.each([
    [{ id: 7 }, "tasks.start: 'id' must be a string"],
    [{}, "tasks.start: 'id' must be a string"],
    [{ id: "echo", args: [1] }, "tasks.start: 'args' must be an object"],
    [{ id: "echo", args: "text=hi" }, "tasks.start: 'args' must be an object"],
    [{ id: "nope" }, "unknown task: 'nope'"],
  ])("rejects %j with -32602 %s", async (params, message) => {
    const { peer } = await setup();
    const error = errorOf(await peer.request("tasks.start", params));
    expect(error).toEqual({ code: ErrorCode.InvalidParams, message });
    // The connection stays usable.
    expect((await peer.call("tasks.start", { id: "echo", args: { text: "ok" } })).prompt).toBe("say ok");
  });

  it.each([
    ["echo", {}, "text"],
    ["echo", { text: 5 }, "text"],
    ["echo", { text: "hi", extra: 1 }, "extra"],
    ["zargs", {}, "word"],
    ["zargs", { word: "w", count: "many" }, "count"],
    ["zargs", { word: "w", colour: "red" }, "colour"],
  ])(
    "args that do not fit %s (%j) fail naming the task and '%s' before the body runs",
    async (id, args, key) => {
      const { peer, probe } = await setup();
      const error = errorOf(await peer.request("tasks.start", { id, args }));
      expect(error.code).toBe(ErrorCode.InvalidParams);
      expect(error.message).toContain(`'${id}'`);
      expect(error.message).toContain(key);
      expect(probe.bodyRan).toEqual([]);
      // No task was left on the session.
      expect(errorOf(await peer.request("tasks.grade", { answer: "x" })).message).toBe("no task in progress");
    },
  );

  it("defaults args to {} and decodes JSON-text args that only fit decoded", async () => {
    const { peer } = await setup();
    expect(await peer.call("tasks.start", { id: "framed" })).toMatchObject({ prompt: "framed prompt" });
    expect(await peer.call("tasks.start", { id: "zargs", args: { word: "w", count: "3" } })).toEqual({
      prompt: "w x3",
    });
  });

  it("wraps a plain first yield as {prompt} and sends an object with a prompt key as-is", async () => {
    const { peer } = await setup();
    expect(await peer.call("tasks.start", { id: "echo", args: { text: "hi" } })).toEqual({
      prompt: "say hi",
    });
    expect(await peer.call("tasks.start", { id: "framed" })).toEqual({
      prompt: "framed prompt",
      bindings: { robot: { token: "slot-2" } },
      extra: 7,
    });
  });

  it("sends a chat message list as the prompt", async () => {
    const { peer } = await setup();
    expect(await peer.call("tasks.start", { id: "chat" })).toEqual({
      prompt: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ],
    });
  });

  it("a generator that throws before its first yield is -32000 with its message, and no task is held", async () => {
    const { peer, probe } = await setup();
    const error = errorOf(await peer.request("tasks.start", { id: "boom" }));
    expect(error).toEqual({
      code: ErrorCode.ServerError,
      message: expect.stringContaining("boom before the prompt"),
    });
    expect(probe.bodyRan).toEqual(["boom"]);
    expect(errorOf(await peer.request("tasks.grade", { answer: "x" }))).toEqual({
      code: ErrorCode.InvalidRequest,
      message: "no task in progress",
    });
  });
});

describe("tasks.grade", () => {
  it("sends the answer into the generator as-is when there is no returns schema", async () => {
    const { peer } = await setup();
    const answer = { nested: [1, "two", null], flag: true };
    expect((await startAndGrade(peer, "answer", answer)).result).toEqual({ score: 1, answer });
    expect((await startAndGrade(peer, "answer", "  spaced  ")).result).toEqual({
      score: 1,
      answer: "  spaced  ",
    });
  });

  it("grades the echo task by the answer", async () => {
    const { peer } = await setup();
    await peer.call("tasks.start", { id: "echo", args: { text: "hi" } });
    expect(await peer.call("tasks.grade", { answer: "hi" })).toEqual({ score: 1 });
    await peer.call("tasks.start", { id: "echo", args: { text: "hi" } });
    expect(await peer.call("tasks.grade", { answer: "ho" })).toEqual({ score: 0 });
  });

  it.each([
    ['{"n": 3}', { content: { n: 3 }, raw: '{"n": 3}' }],
    [{ n: 4 }, { content: { n: 4 }, raw: '{"n":4}' }],
    ["not json", { content: "not json", raw: "not json" }],
    ['{"n": "three"}', { content: '{"n": "three"}', raw: '{"n": "three"}' }],
  ])(
    "with a returns schema the generator receives Answer {content, raw} for %j",
    async (answer, expected) => {
      const { peer } = await setup();
      await peer.call("tasks.start", { id: "typed" });
      expect(await peer.call("tasks.grade", { answer })).toEqual({ score: 1, isAnswer: true, ...expected });
    },
  );

  it("a returns schema that throws is a -32000 error, and the task's cleanup still runs", async () => {
    const { peer, probe } = await setup();
    await peer.call("tasks.start", { id: "typed-crash" });
    const error = errorOf(await peer.request("tasks.grade", { answer: "x" }));
    expect(error.code).toBe(ErrorCode.ServerError);
    expect(error.message).toContain("validator crashed");
    expect(probe.finallyRan).toEqual(["typed-crash"]);
  });

  it("a number becomes {score}", async () => {
    const { peer } = await setup();
    expect((await startAndGrade(peer, "number")).result).toEqual({ score: 0.5 });
  });

  it("an object with a numeric score is sent as-is", async () => {
    const { peer } = await setup();
    expect((await startAndGrade(peer, "object")).result).toEqual({
      score: 0.25,
      info: { detail: "partial credit" },
    });
  });

  it.each([
    ["scoreless", "score"],
    ["string", "number"],
  ])("a %s grade is a -32000 error mentioning '%s'", async (kind, word) => {
    const { peer } = await setup();
    const error = errorOf(await startAndGrade(peer, kind));
    expect(error.code).toBe(ErrorCode.ServerError);
    expect(error.message).toContain(word);
  });

  it("an evaluation result becomes its frame, reward renamed to score (python-sdk case 11)", async () => {
    const { peer } = await setup();
    const expected = {
      score: 0.75,
      done: true,
      content: "nice",
      info: { max_tile: 256 },
      isError: false,
      subscores: [
        {
          name: "judge",
          weight: 1.0,
          value: 0.75,
          children: [
            { name: "criterion", weight: 1.0, value: 1.0, children: null, info: { reason: "because" } },
          ],
          info: { model: "judge-model" },
        },
      ],
    };
    for (const kind of ["evaluation", "evaluation-reward"]) {
      await peer.call("tasks.start", { id: "graded", args: { kind } });
      peer.send({ jsonrpc: "2.0", id: 99, method: "tasks.grade", params: { answer: "x" } });
      const line = await peer.nextLine();
      const result = (JSON.parse(line) as Frame).result as Frame;
      expect(result).toEqual(expected);
      expect(Object.keys(result)).toEqual(["score", "done", "content", "info", "isError", "subscores"]);
    }
  });

  it("a generator that ends without a second yield grades {score: 0}", async () => {
    const { peer } = await setup();
    expect((await startAndGrade(peer, "none")).result).toEqual({ score: 0 });
  });

  it.each(["nan", "infinity"])("a non-finite score (%s) is an error reply, never a frame", async (kind) => {
    const { peer } = await setup();
    const frame = await startAndGrade(peer, kind);
    expect(errorOf(frame).code).toBe(ErrorCode.ServerError);
    expect(errorOf(frame).message).toContain("finite");
  });

  it("grading twice answers 'no task in progress'", async () => {
    const { peer } = await setup();
    await startAndGrade(peer, "number");
    expect(errorOf(await peer.request("tasks.grade", { answer: "x" }))).toEqual({
      code: ErrorCode.InvalidRequest,
      message: "no task in progress",
    });
  });

  it("a failed grade also removes the task", async () => {
    const { peer } = await setup();
    await startAndGrade(peer, "scoreless");
    expect(errorOf(await peer.request("tasks.grade", { answer: "x" })).message).toBe("no task in progress");
  });
});

describe("tasks.solve", () => {
  it("answers with the template's reference solution, which then grades", async () => {
    const { peer } = await setup();
    await peer.call("tasks.start", { id: "solvable" });
    const { answer } = await peer.call("tasks.solve");
    expect(answer).toBe("42");
    expect(await peer.call("tasks.grade", { answer })).toEqual({ score: 1 });
  });

  it("a template without one answers 'no reference solution for <id>'", async () => {
    const { peer } = await setup();
    await peer.call("tasks.start", { id: "echo", args: { text: "hi" } });
    expect(errorOf(await peer.request("tasks.solve"))).toEqual({
      code: ErrorCode.MethodNotFound,
      message: "no reference solution for 'echo'",
    });
    // The task is still there to grade.
    expect(await peer.call("tasks.grade", { answer: "hi" })).toEqual({ score: 1 });
  });

  it("without a task answers 'no task in progress'", async () => {
    const { peer } = await setup();
    expect(errorOf(await peer.request("tasks.solve")).message).toBe("no task in progress");
  });
});

describe("methods", () => {
  it("an unknown method is -32601 'method not found: <m>' and the connection stays usable", async () => {
    const { peer } = await setup();
    expect(errorOf(await peer.request("tasks.frobnicate"))).toEqual({
      code: ErrorCode.MethodNotFound,
      message: "method not found: tasks.frobnicate",
    });
    expect(await peer.call("tasks.cancel")).toEqual({ cancelled: true });
  });

  it("tunnel.open after a control frame is -32601 (python-sdk case 24)", async () => {
    const { peer } = await setup();
    await peer.call("hello");
    const error = errorOf(await peer.request("tunnel.open", { capability: "shell" }));
    expect(error.code).toBe(ErrorCode.MethodNotFound);
    expect(error.message).toBe("method not found: tunnel.open");
  });

  it("a request without an id gets no reply, even when it fails", async () => {
    const { peer, probe } = await setup();
    peer.send({ jsonrpc: "2.0", method: "tasks.start", params: { id: "tagged", args: { tag: "silent" } } });
    peer.send({ jsonrpc: "2.0", method: "tasks.start", params: { id: "nope" } });
    peer.send({ jsonrpc: "2.0", method: "no.such.method" });
    peer.send({ jsonrpc: "2.0", method: "tasks.start", params: ["not", "an", "object"] });
    peer.send({ jsonrpc: "2.0", id: 5, method: "tasks.cancel" });
    // The first frame read is the reply to the only request with an id.
    expect(await peer.next()).toEqual({ jsonrpc: "2.0", id: 5, result: { cancelled: true } });
    expect(probe.bodyRan).toEqual(["silent"]);
    expect(probe.finallyRan).toEqual(["silent"]);
  });
});
