import type { Message, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { accumulateStream } from "./accumulate-stream.ts";

async function* replay(events: readonly RawMessageStreamEvent[]): AsyncGenerator<RawMessageStreamEvent> {
  for (const event of events) yield structuredClone(event);
}

const start: RawMessageStreamEvent = {
  type: "message_start",
  message: {
    id: "msg_014p7gG3wDgGV9EUtLvnow3U",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [],
    container: null,
    diagnostics: null,
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    usage: {
      input_tokens: 472,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 2048,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      inference_geo: "global",
      output_tokens: 2,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
    },
  },
};

const toolUseStart = (index: number, id = "toolu_01T1x1fJ34qAmk2tNTrN7Up6"): RawMessageStreamEvent => ({
  type: "content_block_start",
  index,
  content_block: { type: "tool_use", id, name: "bash", input: {}, caller: { type: "direct" } },
});

const json = (index: number, partial_json: string): RawMessageStreamEvent => ({
  type: "content_block_delta",
  index,
  delta: { type: "input_json_delta", partial_json },
});

const stop = (index: number): RawMessageStreamEvent => ({ type: "content_block_stop", index });

function end(
  stop_reason: "tool_use" | "end_turn" | "max_tokens",
  output_tokens: number,
): RawMessageStreamEvent[] {
  return [
    {
      type: "message_delta",
      delta: { stop_reason, stop_sequence: null, stop_details: null, container: null },
      usage: {
        output_tokens,
        input_tokens: null,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens_details: null,
        server_tool_use: null,
      },
    },
    { type: "message_stop" },
  ];
}

/** Extended thinking, a sentence, then a tool call whose JSON arrives in pieces (as Anthropic streams them). */
const thinkingTextTool: RawMessageStreamEvent[] = [
  start,
  { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "The loop bound " } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "looks off by one." } },
  {
    type: "content_block_delta",
    index: 0,
    delta: { type: "signature_delta", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" },
  },
  stop(0),
  { type: "content_block_start", index: 1, content_block: { type: "text", text: "", citations: null } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Let me look " } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "at the file." } },
  stop(1),
  toolUseStart(2),
  json(2, ""),
  json(2, '{"command":'),
  json(2, ' "cat src/da'),
  json(2, 'tes.js"}'),
  stop(2),
  ...end("tool_use", 89),
];

describe("accumulateStream", () => {
  it("folds deltas into the final message: signature, joined text, parsed tool input, final usage", async () => {
    const message = await accumulateStream(replay(thinkingTextTool));
    expect(message.content).toEqual([
      {
        type: "thinking",
        thinking: "The loop bound looks off by one.",
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
      },
      { type: "text", text: "Let me look at the file.", citations: null },
      {
        type: "tool_use",
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "bash",
        input: { command: "cat src/dates.js" },
        caller: { type: "direct" },
      },
    ]);
    expect(message).toMatchObject<Partial<Message>>({
      id: "msg_014p7gG3wDgGV9EUtLvnow3U",
      model: "claude-sonnet-4-5-20250929",
      stop_reason: "tool_use",
      stop_sequence: null,
    });
    // message_start's input counts stay; message_delta's output total replaces the placeholder.
    expect(message.usage).toMatchObject({
      input_tokens: 472,
      cache_read_input_tokens: 2048,
      output_tokens: 89,
    });
  });

  it("takes the cumulative counters a message_delta carries over message_start's", async () => {
    const [deltaEvent, stopEvent] = end("end_turn", 12);
    const delta = deltaEvent as Extract<RawMessageStreamEvent, { type: "message_delta" }>;
    delta.usage = {
      ...delta.usage,
      input_tokens: 500,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 40,
    };
    const message = await accumulateStream(replay([start, delta, stopEvent!]));
    expect(message.usage).toMatchObject({
      input_tokens: 500,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 40,
      output_tokens: 12,
    });
  });

  it("keeps invalid tool JSON as the raw string instead of failing the turn", async () => {
    const events = [start, toolUseStart(0), json(0, '{"command": cat '), json(0, "src/dates.js}"), stop(0)];
    const message = await accumulateStream(replay([...events, ...end("tool_use", 20)]));
    expect(message.content[0]).toMatchObject({ type: "tool_use", input: '{"command": cat src/dates.js}' });
  });

  it("keeps input cut off by max_tokens raw, never a 'completed' guess", async () => {
    const events = [start, toolUseStart(0), json(0, '{"command": "rm -rf build && '), stop(0)];
    const message = await accumulateStream(replay([...events, ...end("max_tokens", 16384)]));
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.content[0]).toMatchObject({ input: '{"command": "rm -rf build && ' });
  });

  it("gives a tool call with no argument deltas an empty object", async () => {
    const message = await accumulateStream(replay([start, toolUseStart(0), stop(0), ...end("tool_use", 5)]));
    expect(message.content[0]).toMatchObject({ type: "tool_use", input: {} });
  });

  it("fails a stream that ends before message_stop, and one that starts mid-message", async () => {
    await expect(accumulateStream(replay(thinkingTextTool.slice(0, 8)))).rejects.toThrow(
      "Anthropic stream ended before 'message_stop'",
    );
    await expect(accumulateStream(replay(thinkingTextTool.slice(1)))).rejects.toThrow(
      "Anthropic stream sent 'content_block_start' before 'message_start'",
    );
  });
});
