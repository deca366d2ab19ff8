// env.mcp's streamable-HTTP endpoint: bearer auth, sessions (factory vs instance), body limits, bad requests.
import { type Capability, Environment, HudError } from "hud";
import { describe, expect, it } from "vitest";
import { McpClient } from "../src/capabilities/clients/mcp.ts";
import type { McpOptions, McpServerLike } from "../src/environment/mcp/attach.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { toolServer } from "./fixtures/mcp/servers.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

async function serveTools(server: McpServerLike = toolServer, options: McpOptions = {}): Promise<Capability> {
  const env = new Environment({ name: "mcp-endpoint" });
  env.mcp(server, options);
  const served = await serveForTest(env);
  defer(() => served[Symbol.asyncDispose]());
  return served.client.binding(options.name ?? "tools");
}

async function connected(binding: Capability): Promise<McpClient> {
  const client = await McpClient.connect(binding);
  defer(() => client.close());
  return client;
}

function post(binding: Capability, body: string | Uint8Array, token?: string | null): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const bearer = token === undefined ? binding.params.auth_token : token;
  if (typeof bearer === "string") headers.authorization = `Bearer ${bearer}`;
  return fetch(binding.url, { method: "POST", headers, body });
}

async function firstText(
  client: McpClient,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const result = await client.callTool(tool, args);
  const block = result.content[0];
  return block?.type === "text" ? block.text : "";
}

describe("mcp endpoint auth", () => {
  it("rejects requests without the published bearer token", async () => {
    const binding = await serveTools();
    const missing = await post(binding, INITIALIZE, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: { code: -32001 } });
    expect((await post(binding, INITIALIZE, "wrong-token")).status).toBe(401);
    expect((await post(binding, INITIALIZE)).status).toBe(200);

    const wrong = binding.with({ params: { ...binding.params, auth_token: "wrong-token" } });
    const error = await McpClient.connect(wrong).catch((e: unknown) => e);
    expect(HudError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot connect.*HTTP 401: Unauthorized: missing or wrong bearer token$/,
    );
    expect(await firstText(await connected(binding), "shout", { message: "ok" })).toBe("OK");
  });

  it("publishes a fixed token as given, and serves without auth when authToken is false", async () => {
    const env = new Environment({ name: "mcp-tokens" });
    env.mcp(toolServer, { name: "fixed", authToken: "s3cret-token" });
    env.mcp(toolServer, { name: "open", authToken: false });
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());
    const fixed = served.client.binding("fixed");
    const open = served.client.binding("open");
    expect(fixed.params.auth_token).toBe("s3cret-token");
    expect(open.params).not.toHaveProperty("auth_token");
    expect((await post(open, INITIALIZE, null)).status).toBe(200);
    expect((await post(fixed, INITIALIZE, null)).status).toBe(401);
    expect(await firstText(await connected(fixed), "shout", { message: "fixed" })).toBe("FIXED");
  });

  it("refuses two MCP servers under one capability name", () => {
    const env = new Environment({ name: "mcp-names" });
    env.mcp(toolServer);
    expect(() => env.mcp(toolServer)).toThrow(/already has an MCP server named 'tools'/);
  });
});

describe("mcp sessions", () => {
  it("gives each concurrent session its own server when given a factory", async () => {
    let made = 0;
    const binding = await serveTools(() => {
      made += 1;
      return toolServer();
    });
    const [a, b] = await Promise.all([connected(binding), connected(binding)]);
    const shouts = await Promise.all(
      ["a1", "b1", "a2", "b2"].map((m, i) => firstText(i % 2 === 0 ? a : b, "shout", { message: m })),
    );
    expect(shouts).toEqual(["A1", "B1", "A2", "B2"]);
    expect(await firstText(a, "tally")).toBe("1");
    expect(await firstText(b, "tally")).toBe("1");
    expect(await firstText(a, "tally")).toBe("2");
    expect(made).toBe(2);
  });

  it("serves a single instance to one session at a time: a newer session replaces the older", async () => {
    const binding = await serveTools(toolServer());
    const first = await connected(binding);
    expect(await firstText(first, "tally")).toBe("1");
    const second = await connected(binding);
    expect(await firstText(second, "tally")).toBe("2");
    await expect(first.callTool("tally")).rejects.toThrow(/newer session replaced it.*factory/);
    expect(await firstText(second, "tally")).toBe("3");
  });

  it("ends the least recently used session beyond maxSessions", async () => {
    const binding = await serveTools(toolServer, { maxSessions: 1 });
    const first = await connected(binding);
    expect(await firstText(first, "tally")).toBe("1");
    const second = await connected(binding);
    await expect(first.callTool("tally")).rejects.toThrow(/Session not found/);
    expect(await firstText(second, "tally")).toBe("1");
  });
});

describe("mcp endpoint requests", () => {
  it("answers an oversized body with 413 and keeps serving", async () => {
    const binding = await serveTools();
    const body = new Uint8Array(17 * 1024 * 1024).fill(0x20);
    const response = await post(binding, body).catch((error: unknown) => error);
    // The server may answer before the upload ends and close the connection under it.
    if (response instanceof Response) expect(response.status).toBe(413);
    else expect(String((response as Error).cause ?? response)).toMatch(/socket|reset|closed|EPIPE/i);
    expect(await firstText(await connected(binding), "shout", { message: "still up" })).toBe("STILL UP");
  });

  it("applies a smaller maxBodyBytes", async () => {
    const binding = await serveTools(toolServer, { maxBodyBytes: 1024 });
    const response = await post(binding, JSON.stringify({ padding: "x".repeat(4096) }));
    expect(response.status).toBe(413);
    expect(await firstText(await connected(binding), "shout", { message: "small" })).toBe("SMALL");
  });

  it("answers malformed JSON, unknown paths and missing sessions with JSON-RPC errors", async () => {
    const binding = await serveTools();
    const bad = await post(binding, "{not json");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });

    const auth = { authorization: `Bearer ${binding.params.auth_token}` };
    const elsewhere = await fetch(binding.url.replace(/\/mcp$/, "/other"), { headers: auth });
    expect(elsewhere.status).toBe(404);
    const noSession = await fetch(binding.url, { headers: { ...auth, accept: "text/event-stream" } });
    expect(noSession.status).toBe(400);
    const unknown = await fetch(binding.url, {
      headers: { ...auth, accept: "text/event-stream", "mcp-session-id": "nope" },
    });
    expect(unknown.status).toBe(404);
    expect(await firstText(await connected(binding), "shout", { message: "fine" })).toBe("FINE");
  });
});
