// Price lookups (dated ids, unknown models), the cost of a call, and price-file overrides.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HudError } from "../../protocol/errors.ts";
import { KNOWN_MODELS } from "./known-models.ts";
import { BUILTIN_PRICES, costOf, loadPriceTable, lookupModel } from "./prices.ts";
import { providerOf } from "./provider.ts";

const dir = mkdtempSync(join(tmpdir(), "hud-prices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function priceFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("the known-model table", () => {
  it("holds every model the agents default to or the docs name, each with a provider that matches its id", () => {
    const required = [
      "claude-opus-4-5",
      "claude-opus-4-1",
      "claude-sonnet-4-5",
      "claude-sonnet-4-6",
      "claude-haiku-4-5",
      "claude-3-5-haiku",
      "gpt-5",
      "gpt-5-mini",
      "gpt-5-nano",
      "gpt-5.4-mini",
      "gpt-5.6",
      "gpt-4.1",
      "gpt-4.1-mini",
      "gpt-4o",
      "gpt-4o-mini",
      "o3",
      "o4-mini",
      "gemini-2.5-pro",
      "gemini-2.5-flash",
      "gemini-2.5-flash-lite",
      "gemini-3-pro-preview",
    ];
    for (const model of required) expect(KNOWN_MODELS[model], model).toBeDefined();
    for (const [model, entry] of Object.entries(KNOWN_MODELS)) {
      expect(entry.provider, model).toBe(providerOf(model));
      expect(entry.output, model).toBeGreaterThanOrEqual(entry.input);
      if (entry.cached_input !== undefined) expect(entry.cached_input, model).toBeLessThan(entry.input);
      if (entry.estimated_from !== undefined) expect(KNOWN_MODELS[entry.estimated_from], model).toBeDefined();
    }
  });

  it("marks the models newer than the table as estimates priced like their predecessor", () => {
    for (const model of ["gpt-5.4-mini", "gpt-5.6", "claude-sonnet-4-6"]) {
      const entry = KNOWN_MODELS[model]!;
      const base = KNOWN_MODELS[entry.estimated_from!]!;
      expect([entry.input, entry.output, entry.cached_input]).toEqual([
        base.input,
        base.output,
        base.cached_input,
      ]);
    }
    expect(KNOWN_MODELS["claude-sonnet-4-5"]!.estimated_from).toBeUndefined();
  });
});

describe("lookupModel", () => {
  it("resolves dated snapshot ids to their base entry", () => {
    const cases: [string, string][] = [
      ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
      ["claude-opus-4-1-20250805", "claude-opus-4-1"],
      ["claude-opus-4-20250514", "claude-opus-4"],
      ["claude-3-5-haiku-latest", "claude-3-5-haiku"],
      ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5"],
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"],
      ["gpt-4o-2024-08-06", "gpt-4o"],
      ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
      ["gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"],
      ["o3-2025-04-16", "o3"],
      ["gpt-5-2025-08-07", "gpt-5"],
      ["gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
      ["gemini-2.5-flash-lite-preview-09-2025", "gemini-2.5-flash-lite"],
      ["gemini-2.0-flash-001", "gemini-2.0-flash"],
      ["models/gemini-2.5-pro", "gemini-2.5-pro"],
      ["GPT-4o", "gpt-4o"],
      ["openai/gpt-5-mini", "gpt-5-mini"],
    ];
    for (const [model, base] of cases) expect(lookupModel(model)?.id, model).toBe(base);
  });

  it("never stretches a prefix to a different model", () => {
    for (const model of [
      "o3-pro",
      "gpt-4o-audio-preview",
      "gpt-5-chat",
      "gemini-2.0-flash-lite",
      "gemini-2.5-flash-image",
      "claude-opus-4-7",
      "llama-3.1-70b",
      "qwen3-coder",
    ])
      expect(lookupModel(model), model).toBeUndefined();
  });
});

describe("costOf", () => {
  it("prices input and output per million tokens", () => {
    expect(costOf("claude-sonnet-4-5", { input_tokens: 100_000, output_tokens: 100_000 })).toBeCloseTo(
      1.8,
      10,
    );
    expect(costOf("gpt-4o-mini-2024-07-18", { input_tokens: 2000, output_tokens: 500 })).toBeCloseTo(
      0.0006,
      12,
    );
  });

  it("bills cached tokens (part of the input) at the cached rate, and cache writes at the write rate", () => {
    // gpt-5: 1.25 in, 0.125 cached, 10 out.
    expect(costOf("gpt-5", { input_tokens: 10_000, output_tokens: 1000, cached_tokens: 8000 })).toBeCloseTo(
      (2000 * 1.25 + 8000 * 0.125 + 1000 * 10) / 1e6,
      12,
    );
    // claude-haiku-4-5: 1 in, 0.1 read, 1.25 write, 5 out.
    expect(
      costOf("claude-haiku-4-5", {
        input_tokens: 10_000,
        output_tokens: 100,
        cached_tokens: 6000,
        cache_write_tokens: 3000,
      }),
    ).toBeCloseTo((1000 * 1 + 6000 * 0.1 + 3000 * 1.25 + 100 * 5) / 1e6, 12);
    // Cached counts larger than the input are clamped, never negative costs.
    expect(costOf("gpt-5", { input_tokens: 100, output_tokens: 0, cached_tokens: 500 })).toBeCloseTo(
      (100 * 0.125) / 1e6,
      12,
    );
  });

  it("bills a whole call at the long-context rates once its input passes the threshold", () => {
    expect(costOf("gemini-2.5-pro", { input_tokens: 200_000, output_tokens: 0 })).toBeCloseTo(0.25, 10);
    expect(costOf("gemini-2.5-pro", { input_tokens: 300_000, output_tokens: 1000 })).toBeCloseTo(
      (300_000 * 2.5 + 1000 * 15) / 1e6,
      10,
    );
  });

  it("is undefined for an unknown model, never a guessed 0", () => {
    expect(costOf("my-finetune", { input_tokens: 10, output_tokens: 10 })).toBeUndefined();
    expect(costOf("gpt-5", { input_tokens: 0, output_tokens: 0 })).toBe(0);
  });
});

describe("loadPriceTable", () => {
  it("is the built-in table without a file or HUD_PRICES_FILE", () => {
    expect(loadPriceTable(undefined, { env: {} })).toBe(BUILTIN_PRICES);
    expect(loadPriceTable(undefined, { env: { HUD_PRICES_FILE: "" } })).toBe(BUILTIN_PRICES);
  });

  it("merges a price file over the built-in table (from an argument or HUD_PRICES_FILE)", () => {
    const path = priceFile(
      "prices.json",
      JSON.stringify({
        "claude-sonnet-4-5": { input: 2, output: 10 },
        "my-finetune": { input: 0.5, output: 1, cached_input: 0.1 },
        "gpt-oss-120b": { input: 0.1, output: 0.5, provider: "openai", context_window: 131072 },
      }),
    );
    for (const table of [
      loadPriceTable(path),
      loadPriceTable(undefined, { env: { HUD_PRICES_FILE: "prices.json" }, cwd: dir }),
    ]) {
      expect(table.file).toBe(path);
      // The file's prices replace the entry's; provider and context window carry over.
      expect(lookupModel("claude-sonnet-4-5-20250929", table)?.entry).toEqual({
        provider: "anthropic",
        input: 2,
        output: 10,
        context_window: 200_000,
        from_file: true,
      });
      expect(
        costOf("claude-sonnet-4-5", { input_tokens: 1e6, output_tokens: 0, cached_tokens: 1e6 }, table),
      ).toBe(2);
      expect(
        costOf("my-finetune", { input_tokens: 1e6, output_tokens: 1e6, cached_tokens: 5e5 }, table),
      ).toBeCloseTo(0.25 + 0.05 + 1, 10);
      expect(lookupModel("my-finetune", table)?.entry.provider).toBeUndefined();
      expect(lookupModel("gpt-oss-120b", table)?.entry).toMatchObject({
        provider: "openai",
        context_window: 131072,
      });
      // Untouched entries stay, and the built-in table is not modified.
      expect(costOf("gpt-5", { input_tokens: 1e6, output_tokens: 0 }, table)).toBe(1.25);
    }
    expect(BUILTIN_PRICES.models.get("claude-sonnet-4-5")!.input).toBe(3);
    expect(BUILTIN_PRICES.models.has("my-finetune")).toBe(false);
  });

  it("rejects a malformed file with one line naming the file and the problem", () => {
    const cases: [string, string, RegExp][] = [
      ["bad-json.json", "{ nope", /^price file .*bad-json\.json is not valid JSON: /],
      ["array.json", "[]", /^price file .*array\.json must be a JSON object .*\(got an array\)$/],
      ["not-object.json", '{"gpt-5": 3}', /^price file .*: "gpt-5" must be an object like/],
      [
        "no-output.json",
        '{"gpt-5": {"input": 1}}',
        /"gpt-5"\.output must be a non-negative number .*\(got nothing\)$/,
      ],
      [
        "string.json",
        '{"gpt-5": {"input": "1", "output": 2}}',
        /"gpt-5"\.input must be a non-negative number .*\(got "1"\)$/,
      ],
      [
        "negative.json",
        '{"gpt-5": {"input": -1, "output": 2}}',
        /"gpt-5"\.input must be a non-negative number/,
      ],
      [
        "typo.json",
        '{"gpt-5": {"input": 1, "output": 2, "cached": 0.1}}',
        /"gpt-5" has unknown key "cached" \(allowed: /,
      ],
      [
        "provider.json",
        '{"x": {"input": 1, "output": 2, "provider": "mistral"}}',
        /"x"\.provider must be one of anthropic, openai, gemini/,
      ],
    ];
    for (const [name, text, pattern] of cases) {
      const path = priceFile(name, text);
      let caught: unknown;
      try {
        loadPriceTable(path);
      } catch (error) {
        caught = error;
      }
      expect(HudError.is(caught), name).toBe(true);
      expect((caught as Error).message, name).toMatch(pattern);
      expect((caught as Error).message, name).not.toContain("\n");
    }
    expect(() => loadPriceTable(join(dir, "missing.json"))).toThrow(
      /^cannot read price file .*missing\.json: no such file$/,
    );
  });
});
