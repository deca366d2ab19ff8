// McpClient over WebSocket bindings (with and without a bearer token) and its input checks.
import { Capability, Environment, HudError } from "hud";
import { describe, expect, it } from "vitest";
import { McpClient } from "../src/capabilities/clients/mcp.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { toolServer } from "./fixtures/mcp/servers.ts";
import { websocketMcpServer } from "./fixtures/mcp/websocket-server.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

async function forwardedWebsocket(token?: string): Promise<Capability> {
  const ws = await websocketMcpServer(toolServer, token);
  defer(() => ws.close());
  const env = new Environment({
    name: "mcp-ws",
    capabilities: [Capability.mcp({ name: "ws", url: `ws://127.0.0.1:${ws.port}`, authToken: token })],
  });
  const served = await serveForTest(env);
  defer(() => served[Symbol.asyncDispose]());
  return served.client.binding("ws");
}

describe("McpClient over websocket", () => {
  it("lists and calls tools through a forwarded ws binding without a token", async () => {
    const binding = await forwardedWebsocket();
    expect(binding.params.transport).toBe("websocket");
    const client = await McpClient.connect(binding);
    defer(() => client.close());
    expect((await client.listTools()).map((t) => t.name).sort()).toEqual(["shout", "tally"]);
    expect((await client.callTool("shout", { message: "ws" })).content).toEqual([
      { type: "text", text: "WS" },
    ]);
  });

  it("sends the binding's auth_token as a bearer header on the upgrade", async () => {
    const binding = await forwardedWebsocket("ws-secret");
    const client = await McpClient.connect(binding);
    defer(() => client.close());
    expect((await client.callTool("shout", { message: "auth" })).content).toEqual([
      { type: "text", text: "AUTH" },
    ]);
    const wrong = binding.with({ params: { ...binding.params, auth_token: "nope" } });
    const error = await McpClient.connect(wrong, { timeout: 5 }).catch((e: unknown) => e);
    expect(HudError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /mcp 'ws': cannot connect to ws:\/\/127\.0\.0\.1:\d+ \(websocket\)/,
    );
  });
});

describe("McpClient.connect checks", () => {
  it("rejects bindings of other protocols and unknown transports with one line", async () => {
    const ssh = new Capability({ name: "shell", protocol: "ssh/2", url: "ssh://127.0.0.1:22" });
    await expect(McpClient.connect(ssh)).rejects.toThrow("capability 'shell' speaks ssh/2, not mcp");
    const odd = new Capability({
      name: "odd",
      protocol: "mcp/2025-11-25",
      url: "http://127.0.0.1:1/mcp",
      params: { transport: "carrier-pigeon" },
    });
    await expect(McpClient.connect(odd)).rejects.toThrow(/unknown transport 'carrier-pigeon'/);
  });
});
