// providerOf: the model-id → provider API table createAgent dispatches on.
import { describe, expect, it } from "vitest";
import { providerOf } from "./provider.ts";

describe("providerOf", () => {
  it("maps model ids to their provider, and everything else to undefined (needs a base URL)", () => {
    const cases: [string, string | undefined][] = [
      ["claude-sonnet-4-5", "anthropic"],
      ["claude-3-5-haiku-20241022", "anthropic"],
      ["Claude-Opus-4-5", "anthropic"],
      ["gpt-5.6", "openai"],
      ["gpt-4o-mini", "openai"],
      ["chatgpt-4o-latest", "openai"],
      ["o1", "openai"],
      ["o3-mini", "openai"],
      ["o4-mini-2025-04-16", "openai"],
      ["gemini-3-pro-preview", "gemini"],
      ["models/gemini-2.5-flash", "gemini"],
      ["gpt-oss-120b", undefined],
      ["omni-model", undefined],
      ["llama-3.1-70b-instruct", undefined],
      ["deepseek/deepseek-v4-pro", undefined],
      ["qwen3-coder", undefined],
      ["", undefined],
    ];
    for (const [model, provider] of cases) expect(providerOf(model), model).toBe(provider);
  });
});
