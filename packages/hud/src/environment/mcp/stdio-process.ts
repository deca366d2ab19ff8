// A stdio MCP server as an SDK client transport: its own process group, no inherited secrets, stderr kept.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { HudError } from "../../protocol/errors.ts";
import { childEnvironment } from "../processes/child-env.ts";
import { signalGroup, trackGroup, untrackGroup } from "../processes/process-group.ts";

const STDERR_LINES = 20;
const STDERR_LINE_CHARS = 1000;
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Seconds between SIGTERM and SIGKILL at shutdown. */
const GRACE_SECONDS = 2;

export interface StdioProcessOptions {
  /** Variables to set (they win over inherited ones). */
  env?: Readonly<Record<string, string>>;
  /** Inherited names to keep even though they look like secrets. */
  passEnv?: readonly string[];
  cwd?: string;
}

export class StdioServerProcess implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly label: string;
  private readonly command: string;
  private readonly args: readonly string[];
  private readonly options: StdioProcessOptions;
  private readonly buffer = new ReadBuffer({ maxBufferSize: MAX_MESSAGE_BYTES });
  private failure: string | undefined;
  private readonly inbox: JSONRPCMessage[] = [];
  private draining: Promise<void> | undefined;
  private readonly stderrLines: string[] = [];
  private stderrPartial = "";
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(command: string, args: readonly string[], options: StdioProcessOptions = {}) {
    this.command = command;
    this.args = args;
    this.options = options;
    this.label = [command, ...args].join(" ");
  }

  /** The server's pid (also its process group id), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exited(): boolean {
    return this.exit !== undefined;
  }

  /** The last lines the server wrote to stderr. */
  get stderr(): string[] {
    return this.stderrPartial === "" ? [...this.stderrLines] : [...this.stderrLines, this.stderrPartial];
  }

  /** One line saying that (and how) the server is gone, with the end of its stderr. */
  describeExit(): string {
    const how =
      this.failure !== undefined
        ? `${this.failure} and was stopped`
        : this.exit === undefined
          ? "is not running"
          : this.exit.signal !== null
            ? `was killed by ${this.exit.signal}`
            : `exited with code ${this.exit.code}`;
    const tail = this.stderr.slice(-5);
    return `stdio MCP server '${this.label}' ${how}${tail.length > 0 ? `; stderr: ${tail.join(" | ")}` : ""}`;
  }

  async start(): Promise<void> {
    if (this.child) throw new HudError(`stdio MCP server '${this.label}' already started`);
    const child = spawn(this.command, [...this.args], {
      cwd: this.options.cwd,
      env: childEnvironment(process.env, { passEnv: this.options.passEnv, vars: this.options.env }),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    try {
      await once(child, "spawn");
    } catch (error) {
      this.exit = { code: null, signal: null };
      throw new HudError(`cannot start stdio MCP server '${this.label}': ${(error as Error).message}`);
    }
    trackGroup(child.pid!);
    child.on("exit", (code, signal) => {
      this.exit = { code, signal };
    });
    child.on("close", () => {
      untrackGroup(child.pid!);
      // Members the server left behind in its group go with it.
      signalGroup(child.pid!, "SIGKILL");
      this.exit ??= { code: child.exitCode, signal: child.signalCode };
      // Messages the server wrote before exiting are delivered before the close.
      void (this.draining ?? Promise.resolve()).then(() => this.onclose?.());
    });
    child.stdin!.on("error", (error) => this.onerror?.(error));
    child.stdout!.on("data", (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
      } catch {
        // The stream is out of step now; nothing after this can be trusted.
        this.failure = `wrote a message over ${MAX_MESSAGE_BYTES} bytes`;
        void this.close();
        return;
      }
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.inbox.push(message);
      }
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => this.keepStderr(text));
  }

  /**
   * The SDK runs notification handlers a tick later but settles responses at once, so a request's last progress
   * notification followed by its result in the same chunk would be dropped: let each notification land first.
   */
  private async drain(): Promise<void> {
    while (this.inbox.length > 0) {
      const message = this.inbox.shift()!;
      this.onmessage?.(message);
      if (!("id" in message)) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private keepStderr(text: string): void {
    const lines = (this.stderrPartial + text).split("\n");
    this.stderrPartial = lines.pop()!.slice(0, STDERR_LINE_CHARS);
    for (const line of lines) {
      this.stderrLines.push(line.replace(/\r$/, "").slice(0, STDERR_LINE_CHARS));
      if (this.stderrLines.length > STDERR_LINES) this.stderrLines.shift();
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.exit !== undefined || stdin.destroyed) throw new HudError(this.describeExit());
    if (!stdin.write(serializeMessage(message))) await once(stdin, "drain");
  }

  /** End stdin, SIGTERM the group, SIGKILL it after a grace period; resolves once the server is gone. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      const closed = once(child, "close").catch(() => {});
      child.stdin!.end();
      signalGroup(child.pid, "SIGTERM");
      const finished = await Promise.race([closed.then(() => true), sleep(GRACE_SECONDS * 1000, false)]);
      if (!finished) {
        signalGroup(child.pid, "SIGKILL");
        await closed;
      }
    }
    signalGroup(child.pid, "SIGKILL");
    untrackGroup(child.pid);
    this.buffer.clear();
  }
}
