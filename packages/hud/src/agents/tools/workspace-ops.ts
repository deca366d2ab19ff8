// What the workspace tools do, over an `ssh/2` capability: commands, file reads, writes and edits, search.
// Everything runs as a command so that ordinary failures (a missing file) come back as exit codes, and only a
// failing connection throws — which is what tells a tool error from an infrastructure error.

import { posix } from "node:path";
import { shellQuote } from "../../capabilities/clients/shell-quote.ts";
import type { SshClient, SshExecResult } from "../../capabilities/clients/ssh.ts";
import { errorMessage } from "../../protocol/errors.ts";
import { ToolArgumentError, ToolInfrastructureError } from "./tool.ts";

/** The reference's cap on command output kept per stream (head and tail around a marker). */
export const TOOL_OUTPUT_CAP = 10 * 1024 * 1024;
/** Largest file the edit tools read or rewrite. */
const FILE_CAP = 10 * 1024 * 1024;
/** Lines a read returns when the model gives no limit. */
const DEFAULT_READ_LINES = 2000;
/** Entries a glob or grep returns. */
const SEARCH_LIMIT = 200;

export interface CommandResult extends SshExecResult {
  command: string;
}

export class WorkspaceOps {
  readonly ssh: SshClient;
  readonly cwd: string;

  constructor(ssh: SshClient, cwd = "/workspace") {
    this.ssh = ssh;
    this.cwd = cwd;
  }

  /** An absolute path for `path` (relative paths are under the workspace directory). */
  resolve(path: string): string {
    if (path === "") throw new ToolArgumentError("the path is empty");
    const joined = posix.normalize(path.startsWith("/") ? path : `${this.cwd}/${path}`);
    return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
  }

  async run(
    command: string,
    options: { timeout?: number; stdin?: string; cwd?: string } = {},
  ): Promise<CommandResult> {
    try {
      const result = await this.ssh.exec(command, { ...options, maxOutput: TOOL_OUTPUT_CAP });
      return { ...result, command };
    } catch (error) {
      throw new ToolInfrastructureError(errorMessage(error));
    }
  }

  async readText(path: string): Promise<string> {
    const abs = this.resolve(path);
    const result = await this.run(
      `if [ -d ${shellQuote(abs)} ]; then echo "is a directory" >&2; exit 21; fi; head -c ${FILE_CAP + 1} -- ${shellQuote(abs)}`,
    );
    if (result.exitCode !== 0) throw new ToolArgumentError(`cannot read ${abs}: ${firstLine(result.stderr)}`);
    if (Buffer.byteLength(result.stdout) > FILE_CAP)
      throw new ToolArgumentError(`${abs} is larger than 10 MiB`);
    return result.stdout;
  }

  async exists(path: string): Promise<boolean> {
    const result = await this.run(`test -e ${shellQuote(this.resolve(path))}`);
    return result.exitCode === 0;
  }

  async isDirectory(path: string): Promise<boolean> {
    const result = await this.run(`test -d ${shellQuote(this.resolve(path))}`);
    return result.exitCode === 0;
  }

  /** Create or replace a file, creating its directory. */
  async writeText(path: string, text: string): Promise<void> {
    const abs = this.resolve(path);
    const dir = abs.slice(0, abs.lastIndexOf("/")) || "/";
    const result = await this.run(`mkdir -p -- ${shellQuote(dir)} && cat > ${shellQuote(abs)}`, {
      stdin: text,
    });
    if (result.exitCode !== 0)
      throw new ToolArgumentError(`cannot write ${abs}: ${firstLine(result.stderr)}`);
  }

  /** Lines `offset…offset+limit` (1-based) numbered like `cat -n`, with a note when more remain. */
  async readNumbered(path: string, offset = 1, limit = DEFAULT_READ_LINES): Promise<string> {
    const text = await this.readText(path);
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const start = Math.max(1, Math.floor(offset));
    const shown = lines.slice(start - 1, start - 1 + Math.max(1, Math.floor(limit)));
    const body = shown.map((line, i) => `${String(start + i).padStart(6)}\t${line}`).join("\n");
    const end = start - 1 + shown.length;
    return end < lines.length
      ? `${body}\n(${lines.length - end} more lines; read on with offset ${end + 1})`
      : body;
  }

  /** Replace `oldText` by `newText`: exactly once unless `all`. Returns how many were replaced. */
  async replace(path: string, oldText: string, newText: string, all = false): Promise<number> {
    if (oldText === "") throw new ToolArgumentError("the text to replace is empty");
    const text = await this.readText(path);
    const count = text.split(oldText).length - 1;
    if (count === 0)
      throw new ToolArgumentError(`the text to replace was not found in ${this.resolve(path)}`);
    if (count > 1 && !all) {
      throw new ToolArgumentError(
        `the text to replace occurs ${count} times in ${this.resolve(path)}; give more context to make it unique`,
      );
    }
    await this.writeText(
      path,
      all ? text.replaceAll(oldText, newText) : text.replace(oldText, () => newText),
    );
    return all ? count : 1;
  }

  /** Insert `text` after line `line` (0 = at the top). */
  async insert(path: string, line: number, text: string): Promise<void> {
    const lines = (await this.readText(path)).split("\n");
    if (!Number.isInteger(line) || line < 0 || line > lines.length) {
      throw new ToolArgumentError(`insert_line must be between 0 and ${lines.length}`);
    }
    lines.splice(line, 0, ...text.split("\n"));
    await this.writeText(path, lines.join("\n"));
  }

  /** Entries of a directory, two levels deep, hidden ones left out. */
  async listTree(path: string): Promise<string> {
    const abs = this.resolve(path);
    const result = await this.run(
      `find ${shellQuote(abs)} -mindepth 1 -maxdepth 2 -not -path '*/.*' | sort | head -n ${SEARCH_LIMIT}`,
    );
    if (result.exitCode !== 0) throw new ToolArgumentError(`cannot list ${abs}: ${firstLine(result.stderr)}`);
    return result.stdout.trimEnd();
  }

  /** Files matching a glob (`**` crosses directories), newest first. */
  async glob(pattern: string, path = "."): Promise<string[]> {
    const abs = this.resolve(path);
    const regex = globToFindRegex(pattern);
    const result = await this.run(
      `cd -- ${shellQuote(abs)} && find . -type f -regextype posix-extended -regex ${shellQuote(regex)} -not -path '*/.git/*' -printf '%T@ %P\\n' | sort -rn | head -n ${SEARCH_LIMIT} | cut -d' ' -f2-`,
    );
    if (result.exitCode !== 0)
      throw new ToolArgumentError(`cannot search ${abs}: ${firstLine(result.stderr)}`);
    return result.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((rel) => `${abs.replace(/\/$/, "")}/${rel}`);
  }

  /** Lines matching an extended regular expression: `file:line:text`. */
  async grep(pattern: string, path = ".", include?: string): Promise<string> {
    const abs = this.resolve(path);
    const filter = include ? ` --include=${shellQuote(include)}` : "";
    const result = await this.run(
      `grep -rnIE --exclude-dir=.git${filter} -e ${shellQuote(pattern)} -- ${shellQuote(abs)} | head -n ${SEARCH_LIMIT}`,
    );
    if (result.exitCode !== 0 && result.stderr !== "") {
      throw new ToolArgumentError(`grep failed: ${firstLine(result.stderr)}`);
    }
    return result.stdout.trimEnd();
  }
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] || "failed";
}

/** A glob as a `find -regex` (matched against `./relative/path`). */
export function globToFindRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      out += slash ? "(.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "{") out += "(";
    else if (c === "}") out += ")";
    else if (c === "," && out.includes("(")) out += "|";
    else out += /[.+^$()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return `\\./${glob.startsWith("**/") || glob.includes("/") ? "" : "(.*/)?"}${out.replace(/^\\\.\//, "")}`;
}

/** The reference's text form of a command result. */
export function commandText(result: CommandResult): string {
  let text = `$ ${result.command}\n${result.stdout}`;
  if (result.stderr !== "") text += `\nstderr:\n${result.stderr}`;
  if (result.timedOut) text += "\n(timed out)";
  else text += `\n(exit ${result.exitCode ?? result.signal ?? "unknown"})`;
  return text;
}
