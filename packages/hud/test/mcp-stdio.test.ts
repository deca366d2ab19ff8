// env.mcpStdio: the server's process group lives and dies with the environment, secrets stay out, crashes are clear.
import { readFileSync } from "node:fs";
import { Environment } from "hud";
import { afterEach, describe, expect, it } from "vitest";
import { McpClient } from "../src/capabilities/clients/mcp.ts";
import type { McpStdioOptions } from "../src/environment/mcp/attach.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { STDIO_FIXTURE } from "./fixtures/mcp/servers.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
const SECRET = "HUD_FIXTURE_API_KEY";

afterEach(() => {
  delete process.env[SECRET];
});

/** Running (a zombie nobody reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function serveFixture(args: string[] = [], options: McpStdioOptions = {}) {
  const env = new Environment({ name: "mcp-stdio" });
  env.mcpStdio(process.execPath, [STDIO_FIXTURE, ...args], options);
  const served = await serveForTest(env);
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await served[Symbol.asyncDispose]();
  };
  defer(dispose);
  const client = await McpClient.connect(served.client.binding("tools"));
  defer(() => client.close());
  return { client, dispose };
}

async function text(client: McpClient, tool: string, args: Record<string, unknown> = {}): Promise<string> {
  const block = (await client.callTool(tool, args)).content[0];
  return block?.type === "text" ? block.text : "";
}

describe("env.mcpStdio", () => {
  it("kills the server's whole process group at shutdown", async () => {
    const { client, dispose } = await serveFixture();
    const { pid, child } = JSON.parse(await text(client, "pids")) as { pid: number; child: number };
    const pids = [pid, child];
    defer(() => {
      for (const p of pids) if (alive(p)) process.kill(p, "SIGKILL");
    });
    expect(pids.every(alive)).toBe(true);
    await dispose();
    await waitUntil(() => !pids.some(alive), "the stdio server and its child are gone");
  });

  it("withholds secret-looking variables unless passed explicitly", async () => {
    process.env[SECRET] = "sk-do-not-leak";
    const plain = await serveFixture();
    expect(await text(plain.client, "env", { name: SECRET })).toBe("<unset>");
    expect(await text(plain.client, "env", { name: "PATH" })).toBe(process.env.PATH);
    const passed = await serveFixture([], { passEnv: [SECRET], env: { FIXTURE_MODE: "on" } });
    expect(await text(passed.client, "env", { name: SECRET })).toBe("sk-do-not-leak");
    expect(await text(passed.client, "env", { name: "FIXTURE_MODE" })).toBe("on");
  });

  it("fails tool calls with the exit code and stderr once the server has crashed", async () => {
    const { client } = await serveFixture();
    await expect(client.callTool("crash")).rejects.toThrow(/exited with code 3.*fatal: crash requested/);
    await expect(client.callTool("pids")).rejects.toThrow(
      /stdio MCP server '.*stdio-server\.ts' exited with code 3; stderr: .*fatal: crash requested/,
    );
  });

  it("fails the environment's start with the server's stderr when it exits before initialize", async () => {
    const env = new Environment({ name: "mcp-stdio-broken" });
    env.mcpStdio(process.execPath, [STDIO_FIXTURE, "--fail-at-start"]);
    await expect(serveForTest(env)).rejects.toThrow(
      /did not start: .*exited with code 2; stderr: config error: no such database/,
    );
  });

  it("fails the environment's start clearly when the command does not exist", async () => {
    const env = new Environment({ name: "mcp-stdio-missing" });
    env.mcpStdio("/nonexistent/mcp-server", []);
    await expect(serveForTest(env)).rejects.toThrow(
      /cannot start stdio MCP server '\/nonexistent\/mcp-server'.*ENOENT/,
    );
  });
});
