// A fresh HUD_HOME per test (removed afterwards), stores opened on it (closed afterwards), and scripts run with it.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { LocalStore } from "../../src/store/local-store.ts";

export interface ScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export function useStoreHome(prefix: string) {
  let home = "";
  const opened: LocalStore[] = [];
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) store.close();
    await rm(home, { recursive: true, force: true });
  });
  return {
    get home(): string {
      return home;
    },
    /** A store on this test's home, closed after the test. */
    open(): LocalStore {
      const store = LocalStore.open(home);
      opened.push(store);
      return store;
    },
    /** Run `node <script>` with HUD_HOME set to this test's home; SIGKILLed after `timeout` seconds. */
    runScript(script: string, timeout: number): Promise<ScriptExit> {
      return new Promise((done, fail) => {
        const child = spawn(process.execPath, [script], {
          env: { ...process.env, HUD_HOME: home },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeout * 1000);
        child.once("error", fail);
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          done({ code, signal, stderr });
        });
      });
    },
  };
}
