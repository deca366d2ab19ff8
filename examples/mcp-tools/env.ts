// An environment whose tools are served over MCP: a parts inventory the agent must query to answer.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Environment } from "hud";
import { z } from "zod";

/** Stock per warehouse, in units. Nothing in a prompt reveals these: the agent has to ask the tools. */
const STOCK: Record<string, Record<string, number>> = {
  "QX-7731": { reno: 418, leeds: 77, osaka: 1290 },
  "BR-0042": { reno: 9, leeds: 2301, osaka: 0 },
  "TK-5520": { reno: 650, leeds: 650, osaka: 13 },
  "MV-1908": { reno: 0, leeds: 48, osaka: 377 },
};
/** Unit prices in credits. */
const PRICE: Record<string, number> = { "QX-7731": 37, "BR-0042": 112, "TK-5520": 8, "MV-1908": 245 };
/** What one credit is worth in each currency (made up, so only the tools know). */
const RATE: Record<string, number> = { EUR: 0.73, JPY: 118.4, GBP: 0.61 };

const SKUS = Object.keys(STOCK) as [string, ...string[]];
const WAREHOUSES = Object.keys(STOCK[SKUS[0]]!);
const CURRENCIES = Object.keys(RATE) as [string, ...string[]];

export const totalStock = (sku: string) => Object.values(STOCK[sku]!).reduce((a, b) => a + b, 0);
export const orderCost = (sku: string, units: number, currency: string) =>
  (PRICE[sku]! * units * RATE[currency]!).toFixed(2);

const text = (value: unknown) => ({ content: [{ type: "text" as const, text: String(value) }] });

/** A fresh server per MCP session (env.mcp calls it for each one), so concurrent rollouts never share one. */
function inventoryServer(): McpServer {
  const server = new McpServer({ name: "inventory", version: "1.0.0" });
  server.registerTool("list_warehouses", { description: "Names of all warehouses" }, async () =>
    text(WAREHOUSES.join(", ")),
  );
  server.registerTool(
    "stock",
    {
      description: "Units of a SKU held in one warehouse",
      inputSchema: { sku: z.string().describe("e.g. QX-7731"), warehouse: z.string() },
    },
    async ({ sku, warehouse }) => {
      const units = STOCK[sku]?.[warehouse];
      return units === undefined
        ? { ...text(`unknown sku '${sku}' or warehouse '${warehouse}'`), isError: true }
        : text(units);
    },
  );
  server.registerTool(
    "unit_price",
    { description: "Price of one unit of a SKU, in credits", inputSchema: { sku: z.string() } },
    async ({ sku }) =>
      PRICE[sku] === undefined ? { ...text(`unknown sku '${sku}'`), isError: true } : text(PRICE[sku]),
  );
  server.registerTool(
    "credit_rate",
    { description: "What one credit is worth in a currency", inputSchema: { currency: z.string() } },
    async ({ currency }) =>
      RATE[currency] === undefined
        ? { ...text(`unknown currency '${currency}'`), isError: true }
        : text(RATE[currency]),
  );
  return server;
}

export const env = new Environment({ name: "inventory", version: "0.1.0" });
env.mcp(inventoryServer, { name: "inventory" });

/** Total units of a SKU across every warehouse. */
export const stock = env.template(
  {
    id: "stock",
    description: "Sum a SKU's stock over all warehouses, using the inventory MCP tools",
    args: z.object({ sku: z.enum(SKUS) }),
    solution: ({ sku }) => String(totalStock(sku)),
  },
  async function* ({ sku }) {
    const answer =
      yield `Using the inventory tools, find how many units of SKU ${sku} are in stock across all ` +
        "warehouses together. Answer with the number only.";
    yield String(answer).replace(/[,\s]/g, "") === String(totalStock(sku)) ? 1 : 0;
  },
);

/** The cost of an order in a currency: unit price × units, converted. */
export const quote = env.template(
  {
    id: "quote",
    description: "Price an order in a currency, using the inventory MCP tools",
    args: z.object({ sku: z.enum(SKUS), units: z.number().int().positive(), currency: z.enum(CURRENCIES) }),
    solution: ({ sku, units, currency }) => orderCost(sku, units, currency),
  },
  async function* ({ sku, units, currency }) {
    const answer =
      yield `Using the inventory tools, what do ${units} units of SKU ${sku} cost in ${currency}? ` +
        "Multiply the unit price in credits by the number of units and by the credit rate for the currency. " +
        "Answer with the amount rounded to 2 decimals, number only.";
    const given = Number.parseFloat(String(answer).replace(/[^0-9.-]/g, ""));
    yield Math.abs(given - Number(orderCost(sku, units, currency))) < 0.005 ? 1 : 0;
  },
);
