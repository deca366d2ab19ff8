// Benchmark: the model agent's loop per turn (SDK call, mapping, trace recording, tool dispatch) against the fake
// model server, next to the floor of bare HTTP round trips that post the very same request bodies to it.
import { Task } from "hud";
import { type AgentTool, type ModelClient, OpenAIChatModel, ToolAgent, textOutput } from "hud/agents";
import { startFakeModelServer } from "hud/testing";
import OpenAI from "openai";
import { Run } from "../src/eval/run.ts";
import { type Figure, interleaved } from "./measure.ts";

const noop: AgentTool = {
  spec: { name: "noop", description: "Does nothing.", parameters: { type: "object", properties: {} } },
  call: async () => textOutput("ok"),
};

export async function agentLoop(options: {
  runs: number;
  turns: number;
  conversations: number;
}): Promise<Figure> {
  const { turns, conversations } = options;
  // The request bodies of the latest agent run, replayed by the floors.
  let bodies: string[] = [];
  let recording = false;
  const server = await startFakeModelServer({
    maxRecorded: 1,
    policy: (c) => {
      if (recording) bodies.push(JSON.stringify(c.body));
      const usage = { input: 100, output: 10 };
      const more = c.messages.filter((m) => m.role === "assistant").length + 1 < turns;
      return more ? { toolCalls: [{ name: "noop", arguments: {} }], usage } : { text: "done", usage };
    },
  });
  try {
    const client: ModelClient = new OpenAIChatModel({ model: "bench-model", baseURL: server.openaiBaseURL });
    const agent = new ToolAgent(
      client,
      { model: "bench-model", maxSteps: turns },
      {
        flavor: "chat",
        pricing: () => undefined,
        tools: [noop],
      },
    );
    const task = new Task({ env: "bench", id: "loop" });
    // One sample: `conversations` whole conversations of `turns` turns (bodies recorded from the first).
    const loop = async () => {
      let ms = 0;
      for (let i = 0; i < conversations; i++) {
        if (i === 0) bodies = [];
        recording = i === 0;
        const run = new Run({ task });
        run.prompt = "Call noop until told to stop.";
        const start = performance.now();
        await agent.run(run);
        ms += performance.now() - start;
        if (run.trace.steps.length !== 2 * turns - 1)
          throw new Error(`expected ${turns} turns, got ${run.trace.steps.length} steps`);
      }
      recording = false;
      return ms / (turns * conversations);
    };
    await loop();
    const url = `${server.openaiBaseURL}/chat/completions`;
    // The same bodies, posted with fetch over a kept-alive connection and read to the end: the HTTP floor.
    const bare = async () => {
      const start = performance.now();
      for (let i = 0; i < conversations; i++) {
        for (const body of bodies) {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          await response.text();
        }
      }
      return (performance.now() - start) / (bodies.length * conversations);
    };
    // The same bodies through the OpenAI SDK alone: what the official client costs over bare HTTP.
    const openai = new OpenAI({ apiKey: "bench", baseURL: server.openaiBaseURL, maxRetries: 0 });
    const requests = () => bodies.map((body) => JSON.parse(body));
    const sdk = async () => {
      const all = requests();
      const start = performance.now();
      for (let i = 0; i < conversations; i++) {
        for (const request of all) await openai.chat.completions.create(request);
      }
      return (performance.now() - start) / (all.length * conversations);
    };
    const result = await interleaved(options.runs, { loop, bare, sdk });
    const ms = (s: number[]) => s.map((v) => v.toFixed(3)).join(" ");
    return {
      name: "agent loop per turn",
      value: result.loop.median,
      floor: result.bare.median,
      floorName: "bare HTTP round trip, same bodies",
      unit: "ms",
      better: "lower",
      target: 1.5,
      notes: [
        `the same bodies through the OpenAI SDK alone: ${result.sdk.median.toFixed(3)} ms ` +
          `(${(result.sdk.median / result.bare.median).toFixed(2)}× bare; the loop is ${(result.loop.median / result.sdk.median).toFixed(2)}× the SDK call)`,
        `${conversations} conversations of ${turns} turns per sample (a tool call each, then an answer), OpenAI chat SDK ` +
          `against the fake server; samples ms: ` +
          `loop ${ms(result.loop.samples)}, bare ${ms(result.bare.samples)}, sdk ${ms(result.sdk.samples)}`,
      ],
    };
  } finally {
    await server.close();
  }
}
