// mapResponse: recorded generateContent bodies to neutral turns (text, thoughts, calls, finish, usage, native).
import { describe, expect, it } from "vitest";
import { convertContents } from "./convert-contents.ts";
import { type GeminiResponse, mapResponse } from "./map-response.ts";

const OPTIONS = { model: "gemini-3-pro-preview", firstCallNumber: 1 };

/** Recorded shape: Gemini 3 with includeThoughts, calling one function with a signed part. */
const SIGNED_CALL = {
  candidates: [
    {
      content: {
        parts: [
          {
            text: "**Checking the code**\n\nThe bug is probably in calc.py; reading it first.",
            thought: true,
          },
          {
            functionCall: { name: "run_shell_command", args: { command: "cat calc.py" } },
            thoughtSignature: "CiQB0e2Kb6vTq0Qm3P2kYVZ0x1sVq7dWm9bS2cK8lZfXy0ygmmEKZgHR7Ypv",
          },
        ],
        role: "model",
      },
      finishReason: "STOP",
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 1468,
    candidatesTokenCount: 21,
    totalTokenCount: 1630,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: 1468 }],
    thoughtsTokenCount: 141,
  },
  modelVersion: "gemini-3-pro-preview",
  responseId: "mH8cafLUIMqOz7IPj4Gv-Ak",
} as GeminiResponse;

describe("mapResponse", () => {
  it("maps a signed function call: generated id, args object, thoughts as reasoning, usage", () => {
    const turn = mapResponse(SIGNED_CALL, OPTIONS);
    expect(turn.message.toolCalls).toEqual([
      { id: "call_1", name: "run_shell_command", arguments: { command: "cat calc.py" } },
    ]);
    expect(turn.message.text).toBe("");
    expect(turn.message.reasoning).toBe(
      "**Checking the code**\n\nThe bug is probably in calc.py; reading it first.",
    );
    expect(turn.finishReason).toBe("tool_calls");
    expect(turn.providerFinishReason).toBe("STOP");
    expect(turn.usage).toEqual({ inputTokens: 1468, outputTokens: 162, cachedInputTokens: 0 });
    expect(turn.model).toBe("gemini-3-pro-preview");
  });

  it("keeps the parts so the next request sends the thought signature back", () => {
    const turn = mapResponse(SIGNED_CALL, OPTIONS);
    const [model] = convertContents([turn.message]);
    expect(model).toEqual({ role: "model", parts: SIGNED_CALL.candidates![0]!.content!.parts });
  });

  it("joins text split over parts and leaves reasoning unset without thoughts", () => {
    // Recorded shape: gemini-2.5-flash answering in two text parts, the last one signed.
    const response = {
      candidates: [
        {
          content: {
            parts: [{ text: "The answer is " }, { text: "42.", thoughtSignature: "Cs0BAdHtim8=" }],
            role: "model",
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 52, candidatesTokenCount: 6, totalTokenCount: 58 },
      modelVersion: "gemini-2.5-flash",
    } as GeminiResponse;
    const turn = mapResponse(response, OPTIONS);
    expect(turn.message.text).toBe("The answer is 42.");
    expect(turn.message.reasoning).toBeUndefined();
    expect(turn.message.toolCalls).toEqual([]);
    expect(turn.finishReason).toBe("stop");
    expect(turn.model).toBe("gemini-2.5-flash");
  });

  it("numbers calls without ids on from firstCallNumber and keeps ids Gemini sent", () => {
    const response = {
      candidates: [
        {
          content: {
            parts: [
              { functionCall: { name: "read_file", args: { file_path: "a.py" } } },
              { functionCall: { id: "fc-19b2", name: "read_file", args: { file_path: "b.py" } } },
              { functionCall: { name: "list_directory", args: { path: "." } } },
            ],
            role: "model",
          },
          finishReason: "STOP",
        },
      ],
    } as GeminiResponse;
    const ids = mapResponse(response, { ...OPTIONS, firstCallNumber: 4 }).message.toolCalls.map((c) => c.id);
    expect(ids).toEqual(["call_4", "fc-19b2", "call_5"]);
  });

  it("reports MAX_TOKENS with no content as length", () => {
    // Recorded shape: all budget spent on thinking, so the candidate has a role but no parts.
    const response = {
      candidates: [{ content: { role: "model" }, finishReason: "MAX_TOKENS", index: 0 }],
      usageMetadata: { promptTokenCount: 30, totalTokenCount: 1053, thoughtsTokenCount: 1023 },
      modelVersion: "gemini-2.5-pro",
    } as GeminiResponse;
    const turn = mapResponse(response, OPTIONS);
    expect(turn).toMatchObject({ finishReason: "length", providerFinishReason: "MAX_TOKENS" });
    expect(turn.message).toMatchObject({ text: "", toolCalls: [] });
    expect(turn.usage.outputTokens).toBe(1023);
  });

  it("reports a blocked prompt (no candidates) as a refusal with the block reason", () => {
    const response = {
      promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
      modelVersion: "gemini-2.5-pro",
    } as GeminiResponse;
    const turn = mapResponse(response, OPTIONS);
    expect(turn).toMatchObject({ finishReason: "refusal", providerFinishReason: "PROHIBITED_CONTENT" });
    expect(turn.message.text).toBe("");
  });

  it("reports the requested model when the response names none", () => {
    const turn = mapResponse({ candidates: [{ content: { parts: [{ text: "hi" }] } }] }, OPTIONS);
    expect(turn.model).toBe("gemini-3-pro-preview");
    expect(turn.providerFinishReason).toBeUndefined();
  });

  it("keeps arguments that are not an object raw, so the loop does not execute them", () => {
    const response = {
      candidates: [{ content: { parts: [{ functionCall: { name: "glob", args: ["*.py"] } }] } }],
    } as unknown as GeminiResponse;
    expect(mapResponse(response, OPTIONS).message.toolCalls[0]!.arguments).toBe('["*.py"]');
  });
});
