// Pseudo-terminals, window resizes, signals and exit signals, driven by an ssh2 client that checks the host key.
import { readFileSync } from "node:fs";
import ssh2, { type ClientChannel } from "ssh2";
import { describe, expect, it } from "vitest";
import { Workspace } from "../src/environment/workspace/workspace.ts";
import { scratch } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

async function connected(): Promise<ssh2.Client> {
  const root = await scratch(defer, "hud-ws-root-");
  const ws = new Workspace(root);
  defer(() => ws.stop());
  const cap = await ws.start();
  const hostKey = ssh2.utils.parseKey(String(cap.params.host_pubkey));
  if (hostKey instanceof Error) throw hostKey;
  const client = new ssh2.Client();
  defer(() => client.end());
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", reject);
    client.connect({
      host: "127.0.0.1",
      port: Number(cap.url.split(":").pop()),
      username: "agent",
      privateKey: readFileSync(ws.clientKeyPath!),
      hostVerifier: (key: Buffer) => key.equals(hostKey.getPublicSSH()),
    });
  });
  return client;
}

/** Collect a channel's output; `exit` resolves with the exit status or signal. */
function watch(channel: ClientChannel): {
  text: () => string;
  exit: Promise<{ code: number | null; signal?: string }>;
} {
  let text = "";
  channel.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  channel.stderr.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const exit = new Promise<{ code: number | null; signal?: string }>((resolve) => {
    channel.on("exit", (code: number | null, signal?: string) => resolve({ code, signal }));
  });
  return { text: () => text, exit };
}

describe("workspace pseudo-terminals and signals", () => {
  it("sizes the terminal from the pty request and follows window changes", async () => {
    const client = await connected();
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell({ rows: 24, cols: 80, term: "xterm-256color" }, (err, channel) =>
        err ? reject(err) : resolve(channel),
      ),
    );
    const out = watch(shell);
    shell.write("echo SIZE=$(stty size) TERM=$TERM\n");
    await waitUntil(() => /SIZE=24 80 TERM=xterm-256color/.test(out.text()), "the first size is reported");
    shell.setWindow(40, 120, 0, 0);
    shell.write(
      'for i in $(seq 200); do [ "$(stty size)" = "40 120" ] && { echo RESIZED; break; }; sleep 0.05; done\n',
    );
    await waitUntil(() => /^RESIZED\r?$/m.test(out.text()), "the new size is seen");
    shell.write("exit 3\n");
    expect(await out.exit).toEqual({ code: 3, signal: undefined });
  });

  it("runs exec requests on a terminal when one is asked for", async () => {
    const client = await connected();
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec("tty", { pty: { rows: 10, cols: 50 } }, (err, stream) =>
        err ? reject(err) : resolve(stream),
      ),
    );
    const out = watch(channel);
    expect((await out.exit).code).toBe(0);
    expect(out.text()).toMatch(/^\/dev\/pts\/\d+\r?\n/);
  });

  it("reports a command killed by a signal, and forwards signals the client sends", async () => {
    const client = await connected();
    const killed = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec("kill -TERM $$", (err, stream) => (err ? reject(err) : resolve(stream))),
    );
    // ssh2 reports the wire name ("TERM") with its SIG prefix.
    expect((await watch(killed).exit).signal).toBe("SIGTERM");

    const sleeper = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec("echo ready; exec sleep 1000", (err, stream) => (err ? reject(err) : resolve(stream))),
    );
    const out = watch(sleeper);
    await waitUntil(() => out.text().includes("ready"), "the command starts");
    sleeper.signal("INT");
    expect((await out.exit).signal).toBe("SIGINT");
  });
});
