// Read, glob, grep, edit and write tools over a workspace, under each provider's own names for the tools and
// their arguments; and the JSON Schema pieces every workspace tool's spec is made of.
import { type AgentTool, optionalNumber, stringArg, textOutput } from "./tool.ts";
import type { WorkspaceOps } from "./workspace-ops.ts";

export const STRING = { type: "string" } as const;
export const NUMBER = { type: "number" } as const;

export function schema(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: "object", properties, required, additionalProperties: false };
}

export interface FileToolNames {
  read?: { name: string; path: string };
  write?: { name: string; path: string; content: string };
  edit?: { name: string; path: string; old: string; new: string; all: string };
  glob?: { name: string };
  grep?: { name: string };
}

/** Read, glob, grep, edit and write (the reference's order) under each provider's own names for the tools and their arguments. */
export function fileTools(ops: WorkspaceOps, names: FileToolNames): AgentTool[] {
  const tools: AgentTool[] = [];
  const { read, write, edit, glob, grep } = names;
  if (read) {
    tools.push({
      spec: {
        name: read.name,
        description: "Read a file of the workspace; lines are numbered. `offset` is 1-based.",
        parameters: schema({ [read.path]: STRING, offset: NUMBER, limit: NUMBER }, [read.path]),
      },
      async call(args) {
        const path = stringArg(args, read.path);
        return textOutput(
          await ops.readNumbered(path, optionalNumber(args, "offset"), optionalNumber(args, "limit")),
        );
      },
    });
  }
  if (glob) {
    tools.push({
      spec: {
        name: glob.name,
        description: "Find files by glob pattern (e.g. `**/*.ts`), newest first.",
        parameters: schema({ pattern: STRING, path: STRING }, ["pattern"]),
      },
      async call(args) {
        const found = await ops.glob(
          stringArg(args, "pattern"),
          typeof args.path === "string" ? args.path : ".",
        );
        return textOutput(found.length === 0 ? "No files found" : found.join("\n"));
      },
    });
  }
  if (grep) {
    tools.push({
      spec: {
        name: grep.name,
        description: "Search file contents with an extended regular expression; prints file:line:text.",
        parameters: schema({ pattern: STRING, path: STRING, include: STRING }, ["pattern"]),
      },
      async call(args) {
        const path = typeof args.path === "string" ? args.path : ".";
        const include = typeof args.include === "string" ? args.include : undefined;
        const found = await ops.grep(stringArg(args, "pattern"), path, include);
        return textOutput(found === "" ? "No matches found" : found);
      },
    });
  }
  if (edit) {
    const allIsCount = edit.all === "expected_replacements";
    tools.push({
      spec: {
        name: edit.name,
        description:
          "Replace exact text in a file of the workspace (it must occur exactly once unless told otherwise).",
        parameters: schema(
          {
            [edit.path]: STRING,
            [edit.old]: STRING,
            [edit.new]: STRING,
            [edit.all]: allIsCount ? NUMBER : { type: "boolean" },
          },
          [edit.path, edit.old, edit.new],
        ),
      },
      async call(args) {
        const path = stringArg(args, edit.path);
        const expected = allIsCount ? optionalNumber(args, edit.all) : undefined;
        const all = allIsCount ? (expected ?? 1) > 1 : args[edit.all] === true;
        const count = await ops.replace(path, stringArg(args, edit.old), stringArg(args, edit.new), all);
        if (expected !== undefined && count !== expected) {
          return textOutput(
            `replaced ${count} occurrences in ${ops.resolve(path)}, expected ${expected}`,
            true,
          );
        }
        return textOutput(`Edited ${ops.resolve(path)} (${count} replacement${count === 1 ? "" : "s"})`);
      },
    });
  }
  if (write) {
    tools.push({
      spec: {
        name: write.name,
        description: "Create or overwrite a file of the workspace.",
        parameters: schema({ [write.path]: STRING, [write.content]: STRING }, [write.path, write.content]),
      },
      async call(args) {
        const path = stringArg(args, write.path);
        await ops.writeText(path, stringArg(args, write.content));
        return textOutput(`Wrote ${ops.resolve(path)}`);
      },
    });
  }
  return tools;
}
