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
import { Run } from "../src/eval/run.ts";
import { type Figure, interleaved, median } from "./measure.ts";

const noop: AgentTool = {
  spec: { name: "noop", description: "Does nothing.", parameters: { type: "object", properties: {} } },
  call: async () => textOutput("ok"),
};

const KEY = "bench-key";
const MODEL = "bench-model";

interface Adapter {
  label: string;
  flavor: "claude" | "openai" | "gemini" | "chat";
  client: (server: FakeModelServer) => ModelClient;
  /** Where the SDK posted a recorded request. */
  url: (server: FakeModelServer, request: FakeConversation) => string;
  /** The same body through the provider's SDK alone (the Stainless SDKs take the wire body as it is). */
  sdk?: (server: FakeModelServer) => (body: never) => Promise<unknown>;
}

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
    sdk: (s) => {
      const client = new OpenAI({ apiKey: KEY, baseURL: s.openaiBaseURL, maxRetries: 0 });
      return (body: OpenAI.Responses.ResponseCreateParamsNonStreaming) => client.responses.create(body);
    },
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
    sdk: (s) => {
      const client = new OpenAI({ apiKey: KEY, baseURL: s.openaiBaseURL, maxRetries: 0 });
      return (body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming) =>
        client.chat.completions.create(body);
    },
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
    // One sample: `conversations` whole conversations of `turns` turns (requests recorded from the first).
    const loop = async () => {
      let ms = 0;
      for (let i = 0; i < conversations; i++) {
        if (i === 0) recorded = [];
        urlOf = i === 0 ? (c) => adapter.url(server, c) : undefined;
        const run = new Run({ task });
        run.prompt = "Call noop until told to stop.";
        const start = performance.now();
        await agent.run(run);
        ms += performance.now() - start;
        if (run.trace.steps.length !== 2 * turns - 1)
          throw new Error(`${adapter.label}: expected ${turns} turns, got ${run.trace.steps.length} steps`);
      }
      urlOf = undefined;
      return ms / (turns * conversations);
    };
    await loop();
    // The same bodies, posted with fetch over a kept-alive connection and read to the end: the HTTP floor.
    const bare = async () => {
      const start = performance.now();
      for (let i = 0; i < conversations; i++) {
        for (const { url, body } of recorded) {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          await response.text();
        }
      }
      return (performance.now() - start) / (recorded.length * conversations);
    };
    const candidates: Record<string, () => Promise<number>> = { loop, bare };
    const call = adapter.sdk?.(server);
    if (call) {
      // The same bodies through the provider's SDK alone: what the official client costs over bare HTTP.
      candidates.sdk = async () => {
        const bodies = recorded.map((r) => JSON.parse(r.body) as never);
        const start = performance.now();
        for (let i = 0; i < conversations; i++) for (const body of bodies) await call(body);
        return (performance.now() - start) / (bodies.length * conversations);
      };
    }
    const result = await interleaved(options.runs, candidates);
    const { loop: turn, bare: floor, sdk } = result as Record<string, { median: number; samples: number[] }>;
    // Interleaved samples pair up: the overhead of each sample is its turn time less its round trip.
    const overhead = median(turn!.samples.map((ms, i) => ms - floor!.samples[i]!));
    const ms = (s: number[]) => s.map((v) => v.toFixed(3)).join(" ");
    const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    return {
      name: `agent overhead/turn (${adapter.label})`,
      value: overhead,
      floor: floor!.median,
      floorName: "bare HTTP round trip, same bodies",
      unit: "ms",
      better: "lower",
      target: 1.5,
      notes: [
        `whole turn ${turn!.median.toFixed(3)} ms = ${times(turn!.median, floor!.median)} the round trip` +
          (sdk
            ? `; the same bodies through the SDK alone ${sdk.median.toFixed(3)} ms = ` +
              `${times(sdk.median, floor!.median)} (the loop is ${times(turn!.median, sdk.median)} the SDK call)`
            : ""),
        `samples ms: turn ${ms(turn!.samples)}; round trip ${ms(floor!.samples)}` +
          (sdk ? `; sdk ${ms(sdk.samples)}` : ""),
      ],
    };
  }
}
