// A private Debian sshd on a random loopback port (temp host key, client key, config); stop() ends it and its sessions.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";
const SFTP_SERVER = "/usr/lib/openssh/sftp-server";

export interface LoginUser {
  name: string;
  uid: number;
  gid: number;
}

export interface Sshd {
  port: number;
  /** Who to log in as: the account sshd runs as (see startSshd). */
  user: string;
  /**
   * Whether sshd honours `signal` channel requests here. OpenSSH refuses them for root logins (a root session runs
   * without privilege separation), so a timed-out command is killed by the signal only for other users.
   */
  signalsWork: boolean;
  /** OpenSSH public key line of the server's host key. */
  hostPubkey: string;
  /** Client private key (OpenSSH format) and its path. */
  clientKey: string;
  clientKeyPath: string;
  /** The temp directory holding keys and config (removed by stop). */
  dir: string;
  /** `ssh://127.0.0.1:<port>` */
  url: string;
  /** A fresh directory the login user owns (removed by stop). */
  scratchDir(): Promise<string>;
  /** The last 16 KiB sshd wrote to stderr. */
  log(): string;
  /** Kill every session process (the connections drop); the listener stays up. */
  dropConnections(): void;
  /** Stop the listener and every session, remove the temp directory. */
  stop(): Promise<void>;
}

/** Why a private sshd cannot run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (Debian package openssh-server)`;
  return undefined;
}

/**
 * The account a private sshd runs as and accepts logins for. Not root when avoidable: an sshd started by an ordinary
 * user serves exactly that user, with privilege separation (so signals work) and no password or lock checks (it
 * cannot read /etc/shadow). As root, that is `hud-ssh` when it exists, else the first ordinary account
 * (uid 1000..59999) with bash or sh; root itself only when there is none or when asked.
 */
export function sshdLoginUser(options: { root?: boolean } = {}): LoginUser {
  const self = userInfo();
  if (self.uid !== 0) return { name: self.username, uid: self.uid, gid: self.gid };
  const root = { name: "root", uid: 0, gid: 0 };
  if (options.root) return root;
  const users = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .filter((f) => f.length >= 7 && /\/(ba)?sh$/.test(f[6]!) && Number(f[2]) !== 0)
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }));
  return users.find((u) => u.name === "hud-ssh") ?? users.find((u) => u.uid >= 1000 && u.uid < 60000) ?? root;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** Every descendant of `pid`, children before grandchildren (from /proc). */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Resolves once the port answers with an SSH banner. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`sshd exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: "127.0.0.1", port });
      socket.once("data", (chunk: Buffer) => {
        socket.destroy();
        resolve(chunk.toString().startsWith("SSH-"));
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not answer on port ${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Start a private sshd as sshdLoginUser() (root: true for a root sshd and root logins). `sftp: false` leaves out
 * the SFTP subsystem.
 */
export async function startSshd(
  options: { sftp?: boolean; logLevel?: string; root?: boolean } = {},
): Promise<Sshd> {
  const unavailable = sshdUnavailable();
  if (unavailable) throw new Error(unavailable);
  const login = sshdLoginUser(options);
  // OpenSSH's privilege separation directory (compiled in); Debian creates it only when its service starts.
  if (userInfo().uid === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), "hud-sshd-"));
  let child: ChildProcess | undefined;
  let scratch = 0;
  try {
    for (const name of ["host_key", "client_key"]) {
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
    }
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
    await chmod(dir, 0o755);
    for (const name of ["", "host_key", "host_key.pub", "client_key", "client_key.pub", "authorized_keys"]) {
      await chown(join(dir, name), login.uid, login.gid);
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(dir, "host_key")}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "MaxSessions 100",
        "MaxStartups 100",
        `LogLevel ${options.logLevel ?? "ERROR"}`,
        ...(options.sftp === false ? [] : [`Subsystem sftp ${SFTP_SERVER}`]),
      ];
      writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`);
      const started = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], {
        stdio: ["ignore", "ignore", "pipe"],
        ...(login.uid === userInfo().uid ? {} : { uid: login.uid, gid: login.gid }),
      });
      child = started;
      let log = "";
      started.stderr?.on("data", (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-16_384);
      });
      try {
        await waitForBanner(port, started, () => log);
      } catch (error) {
        started.kill("SIGKILL");
        child = undefined;
        if (attempt < 3 && /Address already in use|Bind to port/.test(log)) continue;
        throw error;
      }
      const pid = started.pid!;
      const exited = new Promise<void>((resolve) => {
        if (started.exitCode !== null || started.signalCode !== null) resolve();
        else started.once("exit", () => resolve());
      });
      let stopped = false;
      return {
        port,
        user: login.name,
        signalsWork: login.uid !== 0,
        hostPubkey: readFileSync(join(dir, "host_key.pub"), "utf8").trim(),
        clientKey: readFileSync(join(dir, "client_key"), "utf8"),
        clientKeyPath: join(dir, "client_key"),
        dir,
        url: `ssh://127.0.0.1:${port}`,
        scratchDir: async () => {
          const path = join(dir, `scratch-${scratch++}`);
          mkdirSync(path);
          await chown(path, login.uid, login.gid);
          return path;
        },
        log: () => log,
        dropConnections: () => killAll(descendants(pid)),
        stop: async () => {
          if (stopped) return;
          stopped = true;
          // Sessions first (they leave the listener's process group), then the listener.
          killAll(descendants(pid));
          started.kill("SIGKILL");
          await exited;
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    child?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
