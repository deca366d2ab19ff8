// The mcp-tools taskset: questions only the inventory's MCP tools can answer.
import { quote, stock } from "./env.ts";

export const tasks = [
  stock({ sku: "QX-7731" }),
  stock({ sku: "BR-0042" }),
  stock({ sku: "MV-1908" }),
  quote({ sku: "TK-5520", units: 250, currency: "EUR" }),
  quote({ sku: "MV-1908", units: 3, currency: "JPY" }),
  quote({ sku: "BR-0042", units: 17, currency: "GBP" }),
];
