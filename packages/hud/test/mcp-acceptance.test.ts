// Issue acceptance: an environment's own MCP tool and a tool of an npm stdio MCP server, listed and called through forwarded bindings.
import { Environment } from "hud";
import { describe, expect, it } from "vitest";
import { McpClient } from "../src/capabilities/clients/mcp.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { EVERYTHING, toolServer } from "./fixtures/mcp/servers.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

describe("mcp capabilities through a served environment", () => {
  it("lists and calls tools of env.mcp and env.mcpStdio via the client's forwarders", async () => {
    const env = new Environment({ name: "mcp-acceptance" });
    env.mcp(toolServer);
    env.mcpStdio(process.execPath, [EVERYTHING, "stdio"], { name: "everything" });
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());

    for (const name of ["tools", "everything"]) {
      const manifest = served.client.manifestBindings.find((cap) => cap.name === name)!;
      const routed = served.client.binding(name);
      expect(manifest.protocol).toBe("mcp/2025-11-25");
      expect(manifest.params).toMatchObject({ transport: "streamable-http", auth_token: expect.any(String) });
      // Reached through the control channel's tunnel, not the environment's own port.
      expect(routed.url).not.toBe(manifest.url);
      expect(new URL(routed.url).pathname).toBe("/mcp");
    }

    const own = await McpClient.connect(served.client.binding("tools"));
    defer(() => own.close());
    expect((await own.listTools()).map((tool) => tool.name).sort()).toEqual(["shout", "tally"]);
    expect(await own.callTool("shout", { message: "forwarded" })).toEqual({
      content: [{ type: "text", text: "FORWARDED" }],
      isError: false,
    });

    const npm = await McpClient.connect(served.client.binding("everything"));
    defer(() => npm.close());
    const names = (await npm.listTools()).map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    expect(await npm.callTool("echo", { message: "through the tunnel" })).toMatchObject({
      content: [{ type: "text", text: "Echo: through the tunnel" }],
      isError: false,
    });
    const sum = await npm.callTool("get-sum", { a: 19, b: 23 });
    expect(sum.content).toEqual([{ type: "text", text: expect.stringContaining("42") }]);
  });

  it("relays a stdio tool's progress notifications to the caller", async () => {
    const env = new Environment({ name: "mcp-progress" });
    env.mcpStdio(process.execPath, [EVERYTHING, "stdio"]);
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());
    const mcp = await McpClient.connect(served.client.binding("tools"));
    defer(() => mcp.close());
    const seen: number[] = [];
    const result = await mcp.callTool(
      "trigger-long-running-operation",
      { duration: 0.3, steps: 3 },
      { onProgress: (p) => seen.push(p.progress) },
    );
    expect(result.isError).toBe(false);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("normalizes tool errors into results and keeps structured content", async () => {
    const env = new Environment({ name: "mcp-results" });
    env.mcp(toolServer);
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());
    const mcp = await McpClient.connect(served.client.binding("mcp"));
    defer(() => mcp.close());
    expect(await mcp.callTool("tally")).toMatchObject({ isError: false, structuredContent: { calls: 1 } });
    const missing = await mcp.callTool("no-such-tool");
    expect(missing.isError).toBe(true);
    expect(missing.content).toEqual([{ type: "text", text: expect.stringContaining("no-such-tool") }]);
  });
});
