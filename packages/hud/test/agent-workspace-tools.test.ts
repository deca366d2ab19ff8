// Each provider's workspace tools against a real sandboxed workspace over SSH: reading with line numbers, writing,
// editing (unique, all, missing, ambiguous), inserting, listing, glob, grep, commands with their exit codes and
// timeouts — the results the model sees.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Agent, Environment, LocalRuntime, type Run, rollout, Task } from "hud";
import { describe, expect, it } from "vitest";
import type { ToolOutput } from "../src/agents/model/conversation.ts";
import { capabilityTools } from "../src/agents/tools/capability-tools.ts";
import { dispatchToolCall } from "../src/agents/tools/dispatch.ts";
import type { AgentTool } from "../src/agents/tools/tool.ts";
import type { WorkspaceToolFlavor } from "../src/agents/tools/workspace-tools.ts";
import { scratch } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

type Call = (name: string, args: Record<string, unknown>, timeoutSeconds?: number) => Promise<ToolOutput>;

/** Run `body` with the tools of `flavor` over a fresh workspace holding a small project. */
async function withTools(flavor: WorkspaceToolFlavor, body: (call: Call, names: string[]) => Promise<void>) {
  const root = await scratch(defer, "hud-ws-tools-");
  await mkdir(join(root, "src/lib"), { recursive: true });
  await writeFile(join(root, "src/main.js"), "const a = 1;\nconst b = 2;\nconsole.log(a + b);\n");
  await writeFile(join(root, "src/lib/util.js"), "export const twice = (x) => x * 2;\nexport const a = 1;\n");
  await writeFile(join(root, "notes.md"), "# notes\n");
  const env = new Environment({ name: "tools" });
  env.workspace(root);
  env.template("t", async function* () {
    yield "go";
    yield 1;
  });
  let failure: unknown;
  const agent: Agent = async (run: Run) => {
    try {
      const tools = new Map((await capabilityTools(run, flavor)).map((t: AgentTool) => [t.spec.name, t]));
      const call: Call = async (name, args, timeoutSeconds) =>
        (
          await dispatchToolCall({ id: "c", name, arguments: args }, tools, {
            signal: run.signal,
            timeoutSeconds,
          })
        ).output;
      await body(call, [...tools.keys()]);
    } catch (error) {
      failure = error;
    }
    run.trace.content = "done";
  };
  await rollout(new Task({ env: "tools", id: "t" }), agent, { runtime: new LocalRuntime(env) });
  if (failure) throw failure;
}

const text = (output: ToolOutput) => output.content.map((p) => (p.type === "text" ? p.text : "")).join("");

describe("workspace tools over a real workspace", { timeout: 60_000 }, () => {
  it("chat (opencode-style): bash, read, glob, grep, edit, write", async () => {
    await withTools("chat", async (call, names) => {
      expect(names).toEqual(["bash", "read", "glob", "grep", "edit", "write"]);
      const ran = await call("bash", { command: "echo out; echo err >&2; exit 3" });
      expect(ran.isError).toBe(true);
      expect(text(ran)).toBe("$ echo out; echo err >&2; exit 3\nout\n\nstderr:\nerr\n\n(exit 3)");
      expect(ran.structured).toEqual({ stdout: "out\n", stderr: "err\n", exit_code: 3 });
      expect(text(await call("bash", { command: "pwd", workdir: "src" }))).toContain("/workspace/src\n");
      const slow = await call("bash", { command: "sleep 5", timeout: 300 });
      expect([slow.isError, text(slow)]).toEqual([
        true,
        "bash timed out after 0.3s; retry with a shorter command",
      ]);
      expect(text(await call("read", { filePath: "src/main.js", offset: 2, limit: 1 }))).toBe(
        "     2\tconst b = 2;\n(1 more lines; read on with offset 3)",
      );
      expect(
        text(await call("glob", { pattern: "**/*.js" }))
          .split("\n")
          .sort(),
      ).toEqual(["/workspace/src/lib/util.js", "/workspace/src/main.js"]);
      expect(text(await call("glob", { pattern: "*.md" }))).toBe("/workspace/notes.md");
      expect(
        text(await call("grep", { pattern: "const a", include: "*.js" }))
          .split("\n")
          .sort(),
      ).toEqual([
        "/workspace/src/lib/util.js:2:export const a = 1;",
        "/workspace/src/main.js:1:const a = 1;",
      ]);
      expect(text(await call("grep", { pattern: "nothing here" }))).toBe("No matches found");
      const ambiguous = await call("edit", { filePath: "src/main.js", oldString: "const", newString: "let" });
      expect([ambiguous.isError, text(ambiguous)]).toEqual([
        true,
        "tool error: the text to replace occurs 2 times in /workspace/src/main.js; give more context to make it unique",
      ]);
      expect(
        text(
          await call("edit", {
            filePath: "src/main.js",
            oldString: "const",
            newString: "let",
            replaceAll: true,
          }),
        ),
      ).toBe("Edited /workspace/src/main.js (2 replacements)");
      const missing = await call("edit", { filePath: "src/main.js", oldString: "var", newString: "let" });
      expect(text(missing)).toBe("tool error: the text to replace was not found in /workspace/src/main.js");
      await call("write", { filePath: "new/dir/file.txt", content: "hello\n" });
      expect(text(await call("bash", { command: "cat new/dir/file.txt src/main.js" }))).toContain(
        "hello\nlet a = 1;\nlet b = 2;",
      );
      expect(text(await call("read", { filePath: "nope.txt" }))).toMatch(
        /^tool error: cannot read \/workspace\/nope\.txt: /,
      );
    });
  });

  it("claude: bash and str_replace_based_edit_tool (view, create, str_replace, insert)", async () => {
    await withTools("claude", async (call, names) => {
      expect(names).toEqual(["bash", "str_replace_based_edit_tool"]);
      expect(text(await call("bash", { restart: true }))).toBe(
        "restart is unnecessary; each command runs in a fresh shell session",
      );
      const edit = (args: Record<string, unknown>) => call("str_replace_based_edit_tool", args);
      expect(text(await edit({ command: "view", path: "src" })).split("\n")).toEqual([
        "/workspace/src/lib",
        "/workspace/src/lib/util.js",
        "/workspace/src/main.js",
      ]);
      expect(text(await edit({ command: "view", path: "/workspace/src/main.js", view_range: [2, 3] }))).toBe(
        "     2\tconst b = 2;\n     3\tconsole.log(a + b);",
      );
      expect(text(await edit({ command: "create", path: "a.txt", file_text: "one\nthree\n" }))).toBe(
        "File created successfully at: /workspace/a.txt",
      );
      await edit({ command: "insert", path: "a.txt", insert_line: 1, new_str: "two" });
      await edit({ command: "str_replace", path: "a.txt", old_str: "three", new_str: "3" });
      expect(text(await edit({ command: "view", path: "a.txt" }))).toBe(
        "     1\tone\n     2\ttwo\n     3\t3",
      );
      expect(text(await edit({ command: "view", path: "missing.txt" }))).toBe(
        "tool error: /workspace/missing.txt does not exist",
      );
      expect(text(await edit({ command: "delete", path: "a.txt" }))).toBe(
        "tool error: unknown command 'delete' (view, create, str_replace, insert)",
      );
    });
  });

  it("gemini and openai: their own names for the same operations", async () => {
    await withTools("gemini", async (call, names) => {
      expect(names).toEqual([
        "run_shell_command",
        "read_file",
        "glob",
        "grep_search",
        "replace",
        "write_file",
        "list_directory",
      ]);
      expect(text(await call("run_shell_command", { command: "ls", directory: "src" }))).toContain("main.js");
      const replaced = await call("replace", {
        file_path: "src/main.js",
        old_string: "const",
        new_string: "let",
        expected_replacements: 2,
      });
      expect(text(replaced)).toBe("Edited /workspace/src/main.js (2 replacements)");
      expect(text(await call("list_directory", { path: "." }))).toContain("/workspace/src/lib");
    });
    await withTools("openai", async (call, names) => {
      expect(names).toEqual(["shell", "read_file", "edit_file", "write_file"]);
      const ran = await call("shell", { commands: ["cd src", "cat main.js | wc -l"] });
      expect(text(ran)).toContain("\n3\n");
      expect(ran.structured).toMatchObject({ exit_code: 0 });
      const slow = await call("shell", { commands: ["sleep 5"] }, 0.3);
      expect(slow.structured).toMatchObject({ exit_code: null, timed_out: true });
      expect(text(await call("shell", { commands: [] }))).toBe(
        "tool error: 'commands' must be a non-empty list of strings",
      );
    });
  });
});
