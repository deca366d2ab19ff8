// The public surface is explicit: the exports map and each entry point's named exports are pinned here.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8"));

describe("package surface", () => {
  it("pins the exports map and the binary", () => {
    expect(Object.keys(pkg.exports)).toEqual([".", "./agents", "./graders", "./testing", "./package.json"]);
    for (const key of [".", "./agents", "./graders", "./testing"]) {
      expect(Object.keys(pkg.exports[key])).toEqual(["hud-source", "types", "default"]);
    }
    expect(pkg.bin).toEqual({ hud: "./dist/cli/bin.js" });
    expect(pkg.type).toBe("module");
  });

  it("pins the named exports of every entry point", async () => {
    const names = async (path: string) => Object.keys(await import(path)).sort();
    expect(await names("hud")).toEqual(HUD_EXPORTS);
    expect(await names("hud/agents")).toEqual([
      "AGENT_DEFAULTS",
      "AGENT_TYPES",
      "AnthropicModel",
      "BUILTIN_AGENTS",
      "GeminiModel",
      "OpenAIChatModel",
      "OpenAIModel",
      "ToolAgent",
      "builtinAgent",
      "costOf",
      "createAgent",
      "createModelClient",
      "human",
      "loadPriceTable",
      "nop",
      "oracle",
      "replay",
      "textOutput",
    ]);
    expect(await names("hud/graders")).toEqual([
      "BashGrader",
      "DEFAULT_JUDGE_MODEL",
      "EvaluationResult",
      "Grader",
      "LLMJudgeGrader",
      "SubScore",
      "combine",
      "combineAll",
      "combineAny",
      "contains",
      "containsAll",
      "containsAny",
      "exactMatch",
      "f1Score",
      "normalize",
      "numericMatch",
    ]);
    expect(await names("hud/testing")).toEqual(["serveForTest", "startFakeModelServer"]);
  });
});

const HUD_EXPORTS = [
  "Answer",
  "Capability",
  "Environment",
  "ErrorCode",
  "HudClient",
  "HudError",
  "PROTOCOLS",
  "RpcError",
  "TO_GRADE_FRAME",
  "Workspace",
  "McpClient",
  "SshClient",
  "registerCapabilityClient",
  "hudHome",
  "LocalStore",
  "SpanFileSink",
  "spanFilePath",
  "normalizeTraceId",
  "stepSpan",
  "Grade",
  "Job",
  "Run",
  "Trace",
  "describeError",
  "planRollouts",
  "rollout",
  "DockerRuntime",
  "LocalRuntime",
  "Runtime",
  "reapContainers",
  "Shared",
  "SubprocessRuntime",
  "Taskset",
  "Task",
  "bind",
  "connect",
  "defaultSlug",
  "loadEnvironment",
  "parseControlUrl",
  "serve",
].sort();
