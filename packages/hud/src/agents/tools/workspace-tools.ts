// A workspace (`ssh/2` capability) as each provider's familiar tools: Claude's bash and text editor, OpenAI's
// shell, Gemini's shell and file functions, and the opencode-style set chat models know.

import { fileTools, NUMBER, STRING, schema } from "./file-tools.ts";
import {
  type AgentTool,
  optionalNumber,
  stringArg,
  ToolArgumentError,
  type ToolContext,
  textOutput,
} from "./tool.ts";
import { commandText, type WorkspaceOps } from "./workspace-ops.ts";

export const WORKSPACE_TOOL_FLAVORS = ["claude", "openai", "gemini", "chat"] as const;
export type WorkspaceToolFlavor = (typeof WORKSPACE_TOOL_FLAVORS)[number];

/** A timed-out command is reported in the reference's words so the model shortens it. */
async function shell(ops: WorkspaceOps, name: string, command: string, ctx: ToolContext, cwd?: string) {
  const timeout = ctx.timeoutSeconds;
  const result = await ops.run(command, { timeout, cwd: cwd === undefined ? undefined : ops.resolve(cwd) });
  if (result.timedOut && timeout !== undefined) {
    return textOutput(
      `${name} timed out after ${Number(timeout.toPrecision(6))}s; retry with a shorter command`,
      true,
      { stdout: result.stdout, stderr: result.stderr, exit_code: null, timed_out: true },
    );
  }
  return textOutput(commandText(result), result.exitCode !== 0, {
    stdout: result.stdout,
    stderr: result.stderr,
    exit_code: result.exitCode,
  });
}

function claudeTools(ops: WorkspaceOps): AgentTool[] {
  return [
    {
      spec: {
        name: "bash",
        native: "claude-bash",
        description: "Run a bash command in the workspace.",
        parameters: schema({ command: STRING, restart: { type: "boolean" } }, []),
      },
      async call(args, ctx) {
        if (args.restart === true)
          return textOutput("restart is unnecessary; each command runs in a fresh shell session");
        return shell(ops, "bash", stringArg(args, "command"), ctx);
      },
    },
    {
      spec: {
        name: "str_replace_based_edit_tool",
        native: "claude-text-editor",
        description: "View, create and edit files in the workspace.",
        parameters: schema(
          {
            command: { type: "string", enum: ["view", "create", "str_replace", "insert"] },
            path: STRING,
            file_text: STRING,
            old_str: STRING,
            new_str: STRING,
            insert_line: NUMBER,
            view_range: { type: "array", items: NUMBER },
          },
          ["command", "path"],
        ),
      },
      async call(args) {
        const path = stringArg(args, "path");
        switch (args.command) {
          case "view": {
            const range = Array.isArray(args.view_range) ? (args.view_range as number[]) : undefined;
            if (!(await ops.exists(path))) throw new ToolArgumentError(`${ops.resolve(path)} does not exist`);
            if (await ops.isDirectory(path)) return textOutput(await ops.listTree(path));
            if (!range) return textOutput(await ops.readNumbered(path));
            const [from = 1, to = -1] = range;
            return textOutput(
              await ops.readNumbered(path, from, to === -1 ? Number.MAX_SAFE_INTEGER : to - from + 1),
            );
          }
          case "create":
            await ops.writeText(path, stringArg(args, "file_text"));
            return textOutput(`File created successfully at: ${ops.resolve(path)}`);
          case "str_replace":
            await ops.replace(
              path,
              stringArg(args, "old_str"),
              typeof args.new_str === "string" ? args.new_str : "",
            );
            return textOutput(`The file ${ops.resolve(path)} has been edited.`);
          case "insert": {
            const line = optionalNumber(args, "insert_line");
            if (line === undefined) throw new ToolArgumentError("'insert_line' is required for insert");
            await ops.insert(path, line, stringArg(args, "new_str"));
            return textOutput(`The file ${ops.resolve(path)} has been edited.`);
          }
          default:
            throw new ToolArgumentError(
              `unknown command '${String(args.command)}' (view, create, str_replace, insert)`,
            );
        }
      },
    },
  ];
}

/** The opencode-style set: bash, read, glob, grep, edit, write. */
function chatTools(ops: WorkspaceOps): AgentTool[] {
  return [
    {
      spec: {
        name: "bash",
        description: "Run a bash command in the workspace. `timeout` is in milliseconds.",
        parameters: schema({ command: STRING, timeout: NUMBER, workdir: STRING, description: STRING }, [
          "command",
        ]),
      },
      call(args, ctx) {
        const ms = optionalNumber(args, "timeout");
        const timeoutSeconds =
          ms === undefined ? ctx.timeoutSeconds : Math.min(ms / 1000, ctx.timeoutSeconds ?? Infinity);
        const workdir = typeof args.workdir === "string" ? args.workdir : undefined;
        return shell(ops, "bash", stringArg(args, "command"), { ...ctx, timeoutSeconds }, workdir);
      },
    },
    ...fileTools(ops, {
      read: { name: "read", path: "filePath" },
      write: { name: "write", path: "filePath", content: "content" },
      edit: { name: "edit", path: "filePath", old: "oldString", new: "newString", all: "replaceAll" },
      glob: { name: "glob" },
      grep: { name: "grep" },
    }),
  ];
}

function geminiTools(ops: WorkspaceOps): AgentTool[] {
  return [
    {
      spec: {
        name: "run_shell_command",
        description: "Run a bash command in the workspace.",
        parameters: schema({ command: STRING, directory: STRING, description: STRING }, ["command"]),
      },
      call(args, ctx) {
        const dir = typeof args.directory === "string" ? args.directory : undefined;
        return shell(ops, "run_shell_command", stringArg(args, "command"), ctx, dir);
      },
    },
    ...fileTools(ops, {
      read: { name: "read_file", path: "file_path" },
      write: { name: "write_file", path: "file_path", content: "content" },
      edit: {
        name: "replace",
        path: "file_path",
        old: "old_string",
        new: "new_string",
        all: "expected_replacements",
      },
      glob: { name: "glob" },
      grep: { name: "grep_search" },
    }),
    {
      spec: {
        name: "list_directory",
        description: "List a directory of the workspace (two levels).",
        parameters: schema({ path: STRING }, ["path"]),
      },
      async call(args) {
        return textOutput(await ops.listTree(stringArg(args, "path")));
      },
    },
  ];
}

/** OpenAI: the Responses API's built-in shell (a function where it is not offered), plus file edits. */
function openaiTools(ops: WorkspaceOps): AgentTool[] {
  return [
    {
      spec: {
        name: "shell",
        native: "openai-shell",
        description: "Run shell commands in the workspace, one after another.",
        parameters: schema({ commands: { type: "array", items: STRING }, timeout_ms: NUMBER }, ["commands"]),
      },
      async call(args, ctx) {
        const commands = args.commands;
        if (
          !Array.isArray(commands) ||
          !commands.every((c) => typeof c === "string") ||
          commands.length === 0
        ) {
          throw new ToolArgumentError("'commands' must be a non-empty list of strings");
        }
        const ms = optionalNumber(args, "timeout_ms");
        const timeoutSeconds =
          ms === undefined ? ctx.timeoutSeconds : Math.min(ms / 1000, ctx.timeoutSeconds ?? Infinity);
        return shell(ops, "shell", commands.join("\n"), { ...ctx, timeoutSeconds });
      },
    },
    ...fileTools(ops, {
      read: { name: "read_file", path: "path" },
      write: { name: "write_file", path: "path", content: "content" },
      edit: { name: "edit_file", path: "path", old: "old_string", new: "new_string", all: "replace_all" },
    }),
  ];
}

export function workspaceTools(ops: WorkspaceOps, flavor: WorkspaceToolFlavor): AgentTool[] {
  switch (flavor) {
    case "claude":
      return claudeTools(ops);
    case "openai":
      return openaiTools(ops);
    case "gemini":
      return geminiTools(ops);
    case "chat":
      return chatTools(ops);
  }
}
