// `hud init -t mcp`: tools served over MCP (the official SDK's McpServer) and a task only they can answer.
import { dockerfile, dockerignore, packageJson, readme, tsconfig } from "./common-files.ts";
import type { ProjectFacts, ProjectTemplate, ScaffoldFile } from "./project-template.ts";

const IMPORTS = ["@modelcontextprotocol/sdk", "zod"];

const envTs = (name: string) => `// The ${name} environment: weather-station tools served over MCP,
// and tasks the agent can answer only by calling them. Runners reach the tools through the control
// channel (capability "weather"); model agents see them as tools.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Environment } from "hud";
import { numericMatch } from "hud/graders";
import { z } from "zod";

/** Today's readings in °C — made up, so nothing but the tools knows them. */
const READINGS: Record<string, number> = { "north-ridge": 12.4, harbor: 17.9, "old-mill": 15.1 };
const STATIONS = Object.keys(READINGS) as [string, ...string[]];

const text = (value: unknown) => ({ content: [{ type: "text" as const, text: String(value) }] });

/** A fresh server per MCP session (env.mcp calls the factory for each), so concurrent rollouts never share one. */
function weatherServer(): McpServer {
  const server = new McpServer({ name: "weather", version: "0.1.0" });
  server.registerTool("list_stations", { description: "Names of all weather stations" }, async () =>
    text(STATIONS.join(", ")),
  );
  server.registerTool(
    "temperature",
    { description: "Today's temperature at a station, in °C", inputSchema: { station: z.string() } },
    async ({ station }) =>
      READINGS[station] === undefined
        ? { ...text(\`unknown station '\${station}' (see list_stations)\`), isError: true }
        : text(READINGS[station]),
  );
  return server;
}

export const env = new Environment({ name: "${name}", version: "0.1.0" });
env.mcp(weatherServer, { name: "weather" });

/** How much warmer one station is than another: two tool calls and a subtraction. */
export const warmer = env.template(
  {
    id: "warmer",
    description: "Compare two stations' temperatures, using the weather MCP tools",
    args: z.object({ station: z.enum(STATIONS), than: z.enum(STATIONS) }),
    solution: ({ station, than }) => (READINGS[station]! - READINGS[than]!).toFixed(1),
  },
  async function* ({ station, than }) {
    const answer =
      yield \`Using the weather tools, how many degrees Celsius warmer is \${station} than \${than} today? \` +
        "Answer with the number only (negative if it is colder).";
    yield numericMatch(answer, READINGS[station]! - READINGS[than]!, { tolerance: 0.05 });
  },
);
`;

const TASKS_TS = `// The task rows. \`npx hud eval tasks.ts oracle --all\` scores 1; \`nop\` (no tool calls, no answer) scores 0.
import { warmer } from "./env.ts";

export const tasks = [
  warmer({ station: "harbor", than: "north-ridge" }),
  warmer({ station: "old-mill", than: "harbor" }),
];
`;

export const mcp: ProjectTemplate = {
  summary: "MCP tools (env.mcp with the official SDK) and tasks that need them",
  imports: IMPORTS,
  files(facts: ProjectFacts): ScaffoldFile[] {
    return [
      { path: "env.ts", text: envTs(facts.name) },
      { path: "tasks.ts", text: TASKS_TS },
      packageJson(facts, "A hud environment: tasks solved with MCP tools", IMPORTS),
      tsconfig(),
      dockerfile(facts, IMPORTS),
      dockerignore(),
      readme(facts, {
        about:
          "A [hud](https://www.npmjs.com/package/hud) environment with tools: `env.mcp(...)` serves an MCP " +
          "server (the official SDK's `McpServer`) whose weather-station readings are the only way to answer " +
          "the tasks. Model agents see the tools and call them; runners reach them through the control channel.",
        files: [
          "- `env.ts` — the MCP server (`list_stations`, `temperature`), the environment, and the `warmer` template.",
        ],
      }),
    ];
  },
};
