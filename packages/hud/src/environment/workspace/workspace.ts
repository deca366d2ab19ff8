// Workspace: a directory the agent works in over SSH, every command sandboxed; start() publishes an ssh/2 capability.
import { access, constants, mkdir, rm } from "node:fs/promises";
import { isAbsolute, join, normalize, posix, relative, resolve } from "node:path";
import { Capability } from "../../capabilities/capability.ts";
import { CappedOutput } from "../../capabilities/clients/capped-output.ts";
import { type ExecResult, execResult } from "../../capabilities/clients/exec-result.ts";
import { HudError } from "../../protocol/errors.ts";
import { generateKeys, type WorkspaceKeys } from "./keys.ts";
import {
  positiveSeconds,
  type ResolvedWorkspaceOptions,
  resolveEnv,
  resolveOptions,
  type WorkspaceOptions,
} from "./options.ts";
import { Sandbox } from "./sandbox.ts";
import { TOOLS } from "./sandbox-argv.ts";
import { copyTree, restoreFromSnapshot } from "./snapshot.ts";
import { SshServer } from "./ssh-server.ts";

export type { WorkspaceLimits, WorkspaceOptions } from "./options.ts";

export interface WorkspaceExecOptions {
  /** Seconds before the command and everything it started are killed (default: the workspace's `execTimeout`, 600). */
  timeout?: number;
  /** Sent to the command's standard input, then EOF (without it, stdin is /dev/null). */
  stdin?: string | Uint8Array;
  /** Extra variables for this command. */
  env?: Record<string, string>;
}

/** Where OpenSSH's sftp-server lives on common distributions (all under /usr, so the sandbox sees it too). */
const SFTP_SERVERS = [
  "/usr/lib/openssh/sftp-server",
  "/usr/libexec/openssh/sftp-server",
  "/usr/lib/ssh/sftp-server",
  "/usr/libexec/sftp-server",
  "/usr/lib/sftp-server",
];

interface Running {
  keys: WorkspaceKeys;
  /** The root as it was at start (inside the keys' private directory), unless `snapshot: false`. */
  snapshot: string | undefined;
  sandbox: Sandbox;
  server: SshServer;
  capability: Capability;
}

export class Workspace {
  /** The absolute directory on this host (created by start() if missing). */
  readonly root: string;
  readonly options: Readonly<WorkspaceOptions>;
  private readonly resolved: ResolvedWorkspaceOptions;
  private running: Running | undefined;
  private starting: Promise<Capability> | undefined;

  constructor(root: string, options: WorkspaceOptions = {}) {
    if (typeof root !== "string" || root === "")
      throw new HudError("workspace: 'root' must be a directory path");
    this.root = resolve(root);
    this.options = Object.freeze({ ...options });
    this.resolved = resolveOptions(options, this.root, process.getuid?.() ?? -1);
  }

  /** The published capability, once started. */
  get capability(): Capability | undefined {
    return this.running?.capability;
  }

  /** The client's private key file (outside the root), once started. */
  get clientKeyPath(): string | undefined {
    return this.running?.keys.clientKeyPath;
  }

  /** Where commands see the root ("/workspace" unless `cwd` is set; the root itself without isolation). */
  get cwd(): string {
    return this.resolved.cwd;
  }

  /** Publish file tracking for this root (the file-tracking module reads it). */
  get trackFiles(): boolean {
    return this.resolved.trackFiles;
  }

  /** Generate keys, start the sandbox and the SSH server; refuses when bubblewrap is wanted but unusable. */
  start(): Promise<Capability> {
    if (this.running) return Promise.resolve(this.running.capability);
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async launch(): Promise<Capability> {
    const options = this.resolved;
    await mkdir(this.root, { recursive: true });
    const keys = await generateKeys(this.root);
    let sandbox: Sandbox | undefined;
    try {
      // Before the sandbox exists, so nothing the agent runs can be changing the root while it is copied.
      const snapshot = options.snapshot ? join(keys.dir, "snapshot") : undefined;
      if (snapshot) await copyTree(this.root, snapshot);
      sandbox = await Sandbox.start(this.root, options);
      await this.chown(sandbox, ".");
      const server = await SshServer.listen({
        hostKey: keys.hostPrivate,
        clientPublicKey: keys.clientPublic,
        sandbox,
        sftpServer: await findSftpServer(),
        connections: options.limits.connections,
        sessions: options.limits.sessions,
      });
      const capability = Capability.ssh({
        name: options.name,
        url: `ssh://127.0.0.1:${server.port}`,
        user: options.user,
        hostPubkey: keys.hostPublic,
        clientKey: keys.clientPrivate,
        clientKeyPath: keys.clientKeyPath,
        cwd: options.cwd,
        isolation: options.isolation,
      });
      this.running = { keys, snapshot, sandbox, server, capability };
      return capability;
    } catch (error) {
      await sandbox?.stop();
      await rm(keys.dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Close the server, kill every command (background ones too) and remove the keys; idempotent. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => {});
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    try {
      await running.server.close();
    } finally {
      await running.sandbox.stop();
      await rm(running.keys.dir, { recursive: true, force: true });
    }
  }

  /**
   * Run `command` (bash) in the same sandbox, as the same user, as the agent's commands — for templates that
   * grade by running tests. Output is capped; on timeout the command and everything it started are killed.
   */
  async exec(command: string, options: WorkspaceExecOptions = {}): Promise<ExecResult> {
    const running = this.require("exec");
    if (typeof command !== "string") throw new HudError("workspace.exec: 'command' must be a string");
    const timeout =
      options.timeout === undefined ? this.resolved.execTimeout : positiveSeconds(options.timeout, "timeout");
    const env = resolveEnv(options.env);
    const proc = await running.sandbox.spawn({
      program: [TOOLS.bash, "-c", command],
      env,
      stdin: options.stdin !== undefined,
    });
    if (options.stdin !== undefined) proc.stdin?.end(Buffer.from(options.stdin));
    const stdout = new CappedOutput(this.resolved.limits.execOutput);
    const stderr = new CappedOutput(this.resolved.limits.execOutput);
    proc.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    proc.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill();
    }, timeout * 1000);
    const status = await proc.exited;
    clearTimeout(timer);
    await proc.outputDone();
    if (status.error) throw new HudError(`workspace.exec: cannot start the command: ${status.error.message}`);
    return execResult(status, stdout, stderr, timedOut);
  }

  /**
   * Put `paths` (relative to the root, e.g. `["tests/"]`) back as they were when the workspace started: what is
   * there now is deleted and the start-time copy put in its place (a path that did not exist then is deleted). Runs
   * in the sandbox as the agent, so restored files are the agent's. Needs the snapshot (`snapshot: false` opts out).
   */
  async restore(paths: readonly string[]): Promise<void> {
    const running = this.require("restore");
    if (!running.snapshot) {
      throw new HudError(
        "workspace.restore: this workspace keeps no snapshot (it was created with snapshot: false); remove that option",
      );
    }
    await restoreFromSnapshot(
      running.sandbox,
      this.resolved.cwd,
      running.snapshot,
      paths,
      this.resolved.execTimeout,
    );
  }

  /**
   * Give `path` (relative to the root, default all of it) to the sandbox user. start() does this for the whole
   * root; call it after host code (running as root) writes files the agent must be able to change.
   */
  async claim(path = "."): Promise<void> {
    await this.chown(this.require("claim").sandbox, path);
  }

  private async chown(sandbox: Sandbox, path: string): Promise<void> {
    const drop = this.resolved.drop;
    if (!drop) return;
    const rel = isAbsolute(path) ? relative(this.root, path) : normalize(path);
    if (rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
      throw new HudError(`workspace.claim: '${path}' is outside the workspace root`);
    }
    const target = sandbox.isolated ? posix.join(this.resolved.cwd, rel) : join(this.root, rel);
    const proc = sandbox.spawnPrivileged([
      "/usr/bin/chown",
      "-R",
      "-h",
      "--",
      `${drop.uid}:${drop.gid}`,
      target,
    ]);
    const said: Buffer[] = [];
    proc.stderr.on("data", (chunk: Buffer) => {
      if (said.length < 8) said.push(chunk);
    });
    proc.stdout.resume();
    const status = await proc.exited;
    await proc.outputDone();
    if (status.code !== 0) {
      const reason = status.error?.message ?? Buffer.concat(said).toString("utf8").trim().split("\n")[0];
      throw new HudError(`workspace: cannot give '${path}' to uid ${drop.uid}: ${reason}`);
    }
  }

  private require(what: string): Running {
    if (!this.running)
      throw new HudError(`workspace.${what}: the workspace is not started (call start() first)`);
    return this.running;
  }
}

async function findSftpServer(): Promise<string | undefined> {
  for (const path of SFTP_SERVERS) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // try the next
    }
  }
  return undefined;
}
