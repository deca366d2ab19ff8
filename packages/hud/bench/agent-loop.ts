// Benchmark: what the model agent's loop adds per turn (SDK call, mapping, trace recording, tool dispatch) over
// the bare HTTP round trip, for each provider adapter on its official SDK against the fake model server. The
// floor posts the very same request bodies to the same fake with fetch.
import Anthropic from "@anthropic-ai/sdk";
import { Task } from "hud";
import {
  type AgentTool,
  AnthropicModel,
  GeminiModel,
  type ModelClient,
  OpenAIChatModel,
  OpenAIModel,
  ToolAgent,
  textOutput,
} from "hud/agents";
import { type FakeConversation, type FakeModelServer, startFakeModelServer } from "hud/testing";
import OpenAI from "openai";
import { postJson } from "../src/agents/providers/openai-post-json.ts";
import { Run } from "../src/eval/run.ts";
import { type Figure, median } from "./measure.ts";

const noop: AgentTool = {
  spec: { name: "noop", description: "Does nothing.", parameters: { type: "object", properties: {} } },
  call: async () => textOutput("ok"),
};

const KEY = "bench-key";
const MODEL = "bench-model";
/** Samples run and thrown away before measuring. */
const WARM_UP_SAMPLES = 3;

interface Adapter {
  label: string;
  flavor: "claude" | "openai" | "gemini" | "chat";
  client: (server: FakeModelServer) => ModelClient;
  /** Where the SDK posted a recorded request. */
  url: (server: FakeModelServer, request: FakeConversation) => string;
  /**
   * The same body through the provider's SDK alone, called as the adapter calls it (the Anthropic and OpenAI
   * SDKs take the wire body as it is; @google/genai takes its own parameter shape, so Gemini has none).
   */
  sdk?: (server: FakeModelServer) => (body: never) => Promise<unknown>;
}

/** The OpenAI adapters' call (postJson through the official client) to `path`, alone. */
const openaiPost = (path: string) => (s: FakeModelServer) => {
  const client = new OpenAI({ apiKey: KEY, baseURL: s.openaiBaseURL, maxRetries: 0 });
  return (body: object) => postJson(client, path, body, {});
};

const ADAPTERS: readonly Adapter[] = [
  {
    label: "claude",
    flavor: "claude",
    client: (s) => new AnthropicModel({ model: MODEL, apiKey: KEY, baseURL: s.anthropicBaseURL }),
    url: (s) => `${s.anthropicBaseURL}/v1/messages`,
    sdk: (s) => {
      const client = new Anthropic({ apiKey: KEY, baseURL: s.anthropicBaseURL, maxRetries: 0 });
      return async (body: Anthropic.MessageCreateParamsStreaming) => {
        for await (const _ of await client.messages.create(body));
      };
    },
  },
  {
    label: "openai",
    flavor: "openai",
    client: (s) => new OpenAIModel({ model: MODEL, apiKey: KEY, baseURL: s.openaiBaseURL }),
    url: (s) => `${s.openaiBaseURL}/responses`,
    sdk: openaiPost("/responses"),
  },
  {
    label: "gemini",
    flavor: "gemini",
    client: (s) => new GeminiModel({ model: MODEL, apiKey: KEY, baseURL: s.geminiBaseURL }),
    url: (s, r) => `${s.geminiBaseURL}/v1beta/models/${r.model}:generateContent`,
  },
  {
    label: "chat",
    flavor: "chat",
    client: (s) => new OpenAIChatModel({ model: MODEL, apiKey: KEY, baseURL: s.openaiBaseURL }),
    url: (s) => `${s.openaiBaseURL}/chat/completions`,
    sdk: openaiPost("/chat/completions"),
  },
];

export async function agentLoop(options: {
  runs: number;
  turns: number;
  conversations: number;
}): Promise<Figure[]> {
  const { turns, conversations } = options;
  // The requests of the latest recorded conversation, replayed by the floor.
  let recorded: { url: string; body: string }[] = [];
  let urlOf: ((request: FakeConversation) => string) | undefined;
  const server: FakeModelServer = await startFakeModelServer({
    maxRecorded: 1,
    policy: (c) => {
      if (urlOf) recorded.push({ url: urlOf(c), body: JSON.stringify(c.body) });
      const usage = { input: 100, output: 10 };
      const more = c.messages.filter((m) => m.role === "assistant").length + 1 < turns;
      return more ? { toolCalls: [{ name: "noop", arguments: {} }], usage } : { text: "done", usage };
    },
  });
  const figures: Figure[] = [];
  try {
    for (const adapter of ADAPTERS) figures.push(await measure(adapter));
  } finally {
    await server.close();
  }
  return figures;

  async function measure(adapter: Adapter): Promise<Figure> {
    const agent = new ToolAgent(
      adapter.client(server),
      { model: MODEL, maxSteps: turns },
      { flavor: adapter.flavor, pricing: () => undefined, tools: [noop] },
    );
    const task = new Task({ env: "bench", id: "loop" });
    // One conversation of `turns` turns through the agent, in ms.
    const loop = async () => {
      const run = new Run({ task });
      run.prompt = "Call noop until told to stop.";
      const start = performance.now();
      await agent.run(run);
      const ms = performance.now() - start;
      if (run.trace.steps.length !== 2 * turns - 1)
        throw new Error(`${adapter.label}: expected ${turns} turns, got ${run.trace.steps.length} steps`);
      return ms;
    };
    // A warm-up conversation, whose requests the floor and the SDK replay.
    recorded = [];
    urlOf = (c) => adapter.url(server, c);
    await loop();
    urlOf = undefined;
    // The same bodies, posted with fetch over a kept-alive connection and read to the end: the HTTP floor.
    const bare = async () => {
      const start = performance.now();
      for (const { url, body } of recorded) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        await response.text();
      }
      return performance.now() - start;
    };
    // The same bodies through the provider's SDK alone: what the official client costs over bare HTTP.
    const call = adapter.sdk?.(server);
    const bodies = recorded.map((r) => JSON.parse(r.body) as never);
    const sdk = async () => {
      const start = performance.now();
      for (const body of bodies) await call!(body);
      return performance.now() - start;
    };
    const candidates = call ? { loop, bare, sdk } : { loop, bare };
    // The candidates alternate conversation by conversation, and each conversation through the agent is
    // compared with the bare replay right after it. The machine's speed drifts here from one tenth of a second
    // to the next (the bare fetch loop alone swings between 0.25 and 0.6 ms a request), which a paired ratio
    // cancels and a ratio of two separate medians does not.
    const pairs: Record<string, number>[] = [];
    const measureRound = async () => {
      const round: Record<string, number> = {};
      for (const [name, run] of Object.entries(candidates)) round[name] = (await run()) / turns;
      return round;
    };
    // fetch and the SDKs take about a thousand requests to warm up here.
    for (let i = 0; i < WARM_UP_SAMPLES * conversations; i++) await measureRound();
    for (let i = 0; i < options.runs * conversations; i++) pairs.push(await measureRound());
    const series = (name: string) => pairs.map((p) => p[name]).filter((v): v is number => v !== undefined);
    const ratio = (name: string) => median(pairs.map((p) => p[name]! / p.bare!));
    const floor = median(series("bare"));
    const turnRatio = ratio("loop");
    const sdkRatio = call ? ratio("sdk") : undefined;
    const ms = (values: number[]) => values.map((v) => v.toFixed(3)).join(" ");
    const times = (r: number) => `${r.toFixed(2)}×`;
    return {
      name: `agent overhead/turn (${adapter.label})`,
      // The overhead as the median paired ratio says it, in ms of the median round trip.
      value: floor * (turnRatio - 1),
      floor,
      floorName: "bare HTTP round trip, same bodies",
      unit: "ms",
      better: "lower",
      target: 1.5,
      notes: [
        `whole turn ${times(turnRatio)} the round trip (median of ${pairs.length} paired conversations)` +
          (sdkRatio === undefined
            ? ""
            : `; the same bodies through the SDK alone ${times(sdkRatio)} (the loop is ` +
              `${times(median(pairs.map((p) => p.loop! / p.sdk!)))} the SDK call)`),
        `medians ms: turn ${median(series("loop")).toFixed(3)}, round trip ${floor.toFixed(3)}` +
          (call ? `, sdk ${median(series("sdk")).toFixed(3)}` : "") +
          `; per conversation, turn ${ms(series("loop"))}; round trip ${ms(series("bare"))}`,
      ],
    };
  }
}
