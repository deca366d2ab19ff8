// Run the `hud` CLI from the sources as a real child process, and keep `hud serve` children under control.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

export const BIN = resolve(import.meta.dirname, "../../src/cli/bin.ts");
export const REPO = resolve(import.meta.dirname, "../../../..");

export interface HudResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `hud <args>` to completion (killed after `timeout` seconds). */
export function runHud(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<HudResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--conditions=hud-source", BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), (options.timeout ?? 30) * 1000);
    child.once("error", fail);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess extends AsyncDisposable {
  child: ChildProcess;
  /** The TCP port (0 when serving on a unix socket). */
  port: number;
  url: string;
  output: () => string;
}

/** Start `hud serve <args>` and wait for its HUD_SERVE_PORT (or HUD_SERVE_SOCKET) line. */
export function startServe(
  args: string[],
  options: { cwd?: string; command?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> {
  const command = options.command ?? [process.execPath, "--conditions=hud-source", BIN];
  const child = spawn(command[0]!, [...command.slice(1), "serve", ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`hud serve did not announce a port:\n${output}`));
    }, 20_000);
    child.stderr!.on("data", (d) => {
      output += d;
    });
    child.stdout!.on("data", (d) => {
      output += d;
      const match = /HUD_SERVE_PORT=(\d+)|HUD_SERVE_SOCKET=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1] ?? 0);
        done({
          child,
          port,
          url: match[2] ? `unix://${match[2]}` : `tcp://127.0.0.1:${port}`,
          output: () => output,
          [Symbol.asyncDispose]: () => stop(child),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`hud serve exited with ${code}:\n${output}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill("SIGTERM");
  });
}
