// The human agent: shows the prompt and how to reach each capability, then takes the answer from the terminal.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Capability } from "../../capabilities/capability.ts";
import { splitUrl } from "../../capabilities/url.ts";
import type { Agent } from "../../eval/agent.ts";
import type { Run } from "../../eval/run.ts";
import { LineReader } from "./line-reader.ts";

export interface HumanOptions {
  /** Where answers are read from (default: standard input). */
  input?: NodeJS.ReadableStream;
  /** Where the prompt and instructions go (default: standard output). */
  output?: (text: string) => void;
}

/**
 * One line telling a person how to reach a capability (bindings are routed through loopback forwarders, so
 * the host is 127.0.0.1); ssh private keys are written to a file in `keyDir` with mode 0600.
 */
export async function accessLine(cap: Capability, keyDir: () => Promise<string>): Promise<string> {
  if (cap.family === "ssh") {
    const { hostname, port } = splitUrl(cap.url);
    const user = typeof cap.params.user === "string" ? cap.params.user : "agent";
    let keyFile = typeof cap.params.client_key_path === "string" ? cap.params.client_key_path : undefined;
    if (typeof cap.params.client_key === "string") {
      keyFile = join(await keyDir(), `${cap.name.replace(/[^A-Za-z0-9_-]/g, "_")}.key`);
      const key = cap.params.client_key.endsWith("\n") ? cap.params.client_key : `${cap.params.client_key}\n`;
      await writeFile(keyFile, key, { mode: 0o600 });
    }
    const identity = keyFile === undefined ? "" : `-i ${keyFile} `;
    return `${cap.name}: ssh ${identity}-p ${port ?? 22} ${user}@${hostname}`;
  }
  if (cap.family === "mcp") return `${cap.name}: mcp ${cap.url}`;
  return `${cap.name}: ${cap.protocol} ${cap.url}`;
}

export function human(options: HumanOptions = {}): Agent {
  const reader = new LineReader(options.input ?? process.stdin);
  const write = options.output ?? ((text: string) => void process.stdout.write(text));
  // One person, one terminal: concurrent rollouts take turns.
  let turn: Promise<unknown> = Promise.resolve();

  const work = async (run: Run): Promise<void> => {
    let dir: string | undefined;
    const keyDir = async () => {
      dir ??= await mkdtemp(join(tmpdir(), "hud-human-"));
      return dir;
    };
    try {
      const lines = [`\n=== ${run.slug} (repeat ${run.repeat}) ===`, run.promptText, ""];
      const bindings = run.bindings;
      if (bindings.length > 0) {
        lines.push("Reach the environment:");
        for (const cap of bindings) lines.push(`  ${await accessLine(cap, keyDir)}`);
        lines.push("");
      }
      lines.push("Type your answer; finish with a line holding a single '.' (or end of input).", "");
      write(lines.join("\n"));
      const answer = await reader.readAnswer(run.signal);
      run.trace.record({ source: "agent", content: answer, done: true });
      run.trace.content = answer;
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  };

  return {
    config: {},
    run(run: Run): Promise<void> {
      const mine = turn.then(() => work(run));
      turn = mine.catch(() => {});
      return mine;
    },
  };
}
