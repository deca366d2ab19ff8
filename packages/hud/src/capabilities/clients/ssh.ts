// SshClient: the runner's side of an `ssh/2` capability — commands with timeouts and output caps, files, host key check.
import type { ConnectConfig, SFTPWrapper } from "ssh2";
import { errorMessage, HudError } from "../../protocol/errors.ts";
import type { Capability } from "../capability.ts";
import { splitUrl } from "../url.ts";
import { type ExecResult, execResult } from "./exec-result.ts";
import { sftpListDir, sftpReadFile, sftpWriteFile } from "./sftp-files.ts";
import { shellQuote } from "./shell-quote.ts";
import { type CommandOutcome, positiveSeconds, runCommand, type SshExecOptions } from "./ssh-command.ts";
import { dialWithRetry, type SshSession } from "./ssh-connection.ts";
import { clientCredentials } from "./ssh-credentials.ts";
import { type HostKey, hostKeyAlgorithms, parseHostKey } from "./ssh-host-key.ts";

export type { SshExecOptions } from "./ssh-command.ts";

export interface SshConnectOptions {
  /** Accept any host key when the capability publishes no `host_pubkey` (default false: refuse to connect). */
  insecureSkipHostKeyCheck?: boolean;
  /** Seconds for the TCP connection plus the SSH handshake, per attempt (default 20). */
  connectTimeout?: number;
  /** Seconds between keepalives; 4 unanswered ones drop the connection (default 15). */
  keepaliveInterval?: number;
  /** How files move: over SFTP when the server offers it (`auto`, default), only `sftp`, or only `exec` (cat/ls). */
  fileTransfer?: "auto" | "sftp" | "exec";
}

/** What `exec` returns. */
export type SshExecResult = ExecResult;

/** Default largest file readFile() returns. */
const DEFAULT_MAX_FILE = 100 * 1024 * 1024;

export class SshClient implements AsyncDisposable {
  readonly capability: Capability;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  private readonly options: SshConnectOptions;
  private readonly config: ConnectConfig;
  private readonly hostKey: HostKey | undefined;
  private current: Promise<SshSession> | undefined;
  private closed = false;

  private constructor(
    capability: Capability,
    options: SshConnectOptions,
    config: ConnectConfig,
    hostKey: HostKey | undefined,
  ) {
    this.capability = capability;
    this.options = options;
    this.config = config;
    this.hostKey = hostKey;
    this.host = config.host!;
    this.port = config.port!;
    this.user = config.username!;
  }

  /** Connect to an `ssh/2` capability (url, params.user, client key, host key), retrying refused connections. */
  static async connect(capability: Capability, options: SshConnectOptions = {}): Promise<SshClient> {
    const name = capability.name;
    const params = capability.params;
    let parts: ReturnType<typeof splitUrl>;
    try {
      parts = splitUrl(capability.url.includes("://") ? capability.url : `ssh://${capability.url}`);
    } catch (error) {
      throw new HudError(`capability '${name}': ${errorMessage(error)}`);
    }
    const hostPubkey = params.host_pubkey;
    let hostKey: HostKey | undefined;
    if (typeof hostPubkey === "string" && hostPubkey.trim() !== "") hostKey = parseHostKey(hostPubkey, name);
    else if (!options.insecureSkipHostKeyCheck) {
      throw new HudError(
        `capability '${name}' publishes no params.host_pubkey, so its server cannot be verified ` +
          "(pass { insecureSkipHostKeyCheck: true } to connect anyway)",
      );
    }
    const urlUser = parts.userinfo.split(":", 1)[0];
    const user = typeof params.user === "string" && params.user !== "" ? params.user : urlUser || "agent";
    const config: ConnectConfig = {
      host: parts.hostname,
      port: parts.port ?? 22,
      username: user,
      readyTimeout: positiveSeconds(options.connectTimeout, "connectTimeout", 20) * 1000,
      keepaliveInterval: positiveSeconds(options.keepaliveInterval, "keepaliveInterval", 15) * 1000,
      keepaliveCountMax: 4,
      ...(await clientCredentials(capability)),
    };
    if (hostKey) config.algorithms = { serverHostKey: hostKeyAlgorithms(hostKey.type) };
    const client = new SshClient(capability, options, config, hostKey);
    await client.session();
    return client;
  }

  /** Run `command` through the server's shell. Non-zero exits are results, not errors. */
  async exec(command: string, options: SshExecOptions = {}): Promise<SshExecResult> {
    const line =
      options.cwd === undefined ? command : `cd -- ${shellQuote(options.cwd)} || exit 1\n${command}`;
    const result = await this.run(line, command, options);
    const status = { code: result.exitCode, signal: result.signal };
    return execResult(status, result.stdout, result.stderr, result.timedOut);
  }

  /** The file's bytes (over SFTP, else `cat`); HudError when missing, unreadable or over `maxBytes` (100 MiB). */
  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE;
    const { session, sftp } = await this.files();
    if (sftp) {
      try {
        return await sftpReadFile(sftp, path, maxBytes);
      } catch (error) {
        throw this.fileError("read", path, error, session);
      }
    }
    this.requirePosixShell("readFile");
    const result = await this.run(`cat -- ${shellQuote(path)}`, "cat", { maxOutput: maxBytes });
    this.checkFileCommand("read", path, result);
    if (result.stdout.truncated) {
      throw new HudError(`ssh ${this.label}: cannot read '${path}': more than maxBytes (${maxBytes}) bytes`);
    }
    return result.stdout.bytes();
  }

  /** Create or replace a file (over SFTP, else `cat >` with the data on stdin). */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const bytes =
      typeof data === "string"
        ? Buffer.from(data)
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const { session, sftp } = await this.files();
    if (sftp) {
      try {
        await sftpWriteFile(sftp, path, bytes);
        return;
      } catch (error) {
        throw this.fileError("write", path, error, session);
      }
    }
    this.requirePosixShell("writeFile");
    const result = await this.run(`cat > ${shellQuote(path)}`, "cat >", {
      stdin: bytes,
      maxOutput: 64 * 1024,
    });
    this.checkFileCommand("write", path, result);
  }

  /** Names in a directory (without "." and ".."), sorted. */
  async listDir(path: string): Promise<string[]> {
    const { session, sftp } = await this.files();
    if (sftp) {
      try {
        return await sftpListDir(sftp, path);
      } catch (error) {
        throw this.fileError("list", path, error, session);
      }
    }
    this.requirePosixShell("listDir");
    const result = await this.run(`ls -1A -- ${shellQuote(path)}`, "ls", {});
    this.checkFileCommand("list", path, result);
    return result.stdout
      .bytes()
      .toString("utf8")
      .split("\n")
      .filter((name) => name !== "")
      .sort();
  }

  /** Disconnect; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = this.current;
    this.current = undefined;
    const session = await pending?.catch(() => undefined);
    if (!session || session.dropped) return;
    const { client } = session;
    const gone = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.end();
    const timer = setTimeout(() => client.destroy(), 2000);
    await gone;
    clearTimeout(timer);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private get label(): string {
    return `capability '${this.capability.name}' (${this.host}:${this.port})`;
  }

  /** The live connection, reconnecting once when the last one dropped. */
  private async session(): Promise<SshSession> {
    for (;;) {
      if (this.closed) throw new HudError(`ssh client for capability '${this.capability.name}' is closed`);
      const pending = this.current;
      if (pending) {
        const session = await pending.catch(() => undefined);
        if (session && !session.dropped) return session;
        if (this.current !== pending) continue;
      }
      const next = dialWithRetry(
        { config: this.config, label: this.label, hostKey: this.hostKey },
        () => this.closed,
      );
      this.current = next;
      try {
        const session = await next;
        if (this.closed) session.client.end();
        return session;
      } catch (error) {
        if (this.current === next) this.current = undefined;
        throw error;
      }
    }
  }

  /** Run `line` on a fresh channel of the live connection; `shown` names it in errors. */
  private async run(line: string, shown: string, options: SshExecOptions): Promise<CommandOutcome> {
    const session = await this.session();
    return runCommand(session, line, { ...options, shown, label: this.label });
  }

  /** The SFTP channel to use for files (undefined: use exec), per the fileTransfer option. */
  private async files(): Promise<{ session: SshSession; sftp: SFTPWrapper | undefined }> {
    const session = await this.session();
    const mode = this.options.fileTransfer ?? "auto";
    if (mode === "exec") return { session, sftp: undefined };
    session.sftp ??= new Promise((resolve) => {
      try {
        session.client.sftp((error, sftp) => {
          if (error) return resolve(undefined);
          sftp.on("close", () => {
            session.sftp = undefined;
          });
          resolve(sftp);
        });
      } catch {
        resolve(undefined);
      }
    });
    const sftp = await session.sftp;
    if (!sftp && mode === "sftp") {
      throw new HudError(`ssh ${this.label} does not offer the SFTP subsystem (fileTransfer: "sftp")`);
    }
    return { session, sftp };
  }

  private fileError(action: string, path: string, error: unknown, session: SshSession): HudError {
    if (session.dropped)
      return new HudError(`ssh connection to ${this.label} was lost during ${action} '${path}'`);
    return new HudError(`ssh ${this.label}: cannot ${action} '${path}': ${errorMessage(error)}`);
  }

  private checkFileCommand(action: string, path: string, result: CommandOutcome): void {
    if (result.exitCode === 0) return;
    const detail =
      result.stderr.bytes().toString("utf8").trim() || `exit ${result.exitCode ?? result.signal}`;
    throw new HudError(`ssh ${this.label}: cannot ${action} '${path}': ${detail}`);
  }

  private requirePosixShell(method: string): void {
    const shell = this.capability.params.shell;
    if (shell === "cmd" || shell === "powershell") {
      throw new HudError(
        `ssh ${this.label}: ${method}() without SFTP needs a POSIX shell (params.shell is '${shell}')`,
      );
    }
  }
}
