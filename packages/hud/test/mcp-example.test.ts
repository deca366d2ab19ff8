// examples/mcp-tools is answerable through its MCP tools alone: an agent-like caller scores 1 on every task.
import { describe, expect, it } from "vitest";
import { env } from "../../../examples/mcp-tools/env.ts";
import { tasks } from "../../../examples/mcp-tools/tasks.ts";
import { McpClient } from "../src/capabilities/clients/mcp.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

async function number(client: McpClient, tool: string, args: Record<string, unknown>): Promise<number> {
  const result = await client.callTool(tool, args);
  const block = result.content[0];
  expect(result.isError).toBe(false);
  return Number(block?.type === "text" ? block.text : Number.NaN);
}

describe("examples/mcp-tools", () => {
  it("scores 1 on every task when the answer is worked out with the inventory tools", async () => {
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());
    const tools = await McpClient.connect(served.client.binding("inventory"));
    defer(() => tools.close());
    const listed = await tools.callTool("list_warehouses");
    const warehouses = (listed.content[0]?.type === "text" ? listed.content[0].text : "").split(", ");
    for (const task of tasks) {
      const args = task.args as { sku: string; units?: number; currency?: string };
      await served.client.startTask(task.id, task.args as Record<string, unknown>);
      let answer: string;
      if (task.id === "stock") {
        let total = 0;
        for (const warehouse of warehouses)
          total += await number(tools, "stock", { sku: args.sku, warehouse });
        answer = String(total);
      } else {
        const price = await number(tools, "unit_price", { sku: args.sku });
        const rate = await number(tools, "credit_rate", { currency: args.currency });
        answer = (price * args.units! * rate).toFixed(2);
      }
      expect(await served.client.grade({ answer }), task.slug).toMatchObject({ score: 1 });
    }
  });
});
