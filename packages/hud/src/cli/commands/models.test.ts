// `hud models [list] [--json]` in-process through the CLI table: the price table, estimates, a price file, errors.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "../io.ts";
import { main } from "../main.ts";

const dir = mkdtempSync(join(tmpdir(), "hud-models-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hud(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: new AbortController().signal,
    verbose: false,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe("hud models", () => {
  it("lists the known models with provider, prices and context, marking estimates", async () => {
    const out = await hud(["models", "list"]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split("\n");
    expect(lines[0]).toMatch(/^MODEL +PROVIDER +INPUT +OUTPUT +CACHED +CONTEXT +NOTE$/);
    expect(lines.find((l) => l.startsWith("claude-sonnet-4-5 "))).toMatch(
      /^claude-sonnet-4-5 +anthropic +\$3\.00 +\$15\.00 +\$0\.30 +200K +>200K input: \$6\.00\/\$22\.50$/,
    );
    expect(lines.find((l) => l.startsWith("gpt-5-nano "))).toMatch(
      / openai +\$0\.05 +\$0\.40 +\$0\.005 +400K$/,
    );
    expect(lines.find((l) => l.startsWith("gpt-5.6 "))).toMatch(/^gpt-5\.6 +openai .*≈ priced as gpt-5\.2$/);
    expect(lines.find((l) => l.startsWith("gemini-2.5-pro "))).toMatch(
      / gemini +\$1\.25 +\$10\.00 +\$0\.125 +1M /,
    );
    expect(out.stdout).toContain("USD per million tokens");
    expect(out.stdout).toContain("HUD_PRICES_FILE=<file.json>");
    expect((await hud(["models"])).stdout).toBe(out.stdout);
  });

  it("prints the table as JSON with --json", async () => {
    const out = await hud(["models", "--json"]);
    expect(out.code, out.stderr).toBe(0);
    const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(rows.find((r) => r.model === "claude-haiku-4-5")).toEqual({
      model: "claude-haiku-4-5",
      provider: "anthropic",
      input: 1,
      output: 5,
      cached_input: 0.1,
      cache_write: 1.25,
      context_window: 200_000,
      long_context: null,
      estimate: false,
      estimated_from: null,
      from_file: false,
    });
    expect(rows.find((r) => r.model === "claude-sonnet-4-6")).toMatchObject({
      estimate: true,
      estimated_from: "claude-sonnet-4-5",
    });
    expect(rows.filter((r) => r.estimate).map((r) => r.model)).toEqual(
      expect.arrayContaining(["gpt-5.4-mini", "gpt-5.6", "claude-sonnet-4-6"]),
    );
  });

  it("shows the prices of HUD_PRICES_FILE and names the file", async () => {
    writeFileSync(
      join(dir, "prices.json"),
      JSON.stringify({ "gpt-5": { input: 1, output: 8 }, "my-finetune": { input: 0.2, output: 0.6 } }),
    );
    const out = await hud(["models", "list"], { HUD_PRICES_FILE: "prices.json" });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.split("\n").find((l) => l.startsWith("gpt-5 "))).toMatch(
      /^gpt-5 +openai +\$1\.00 +\$8\.00 +- +400K +price file$/,
    );
    expect(out.stdout).toMatch(/^my-finetune +- +\$0\.20 +\$0\.60 +- +- +price file$/m);
    expect(out.stdout).toContain(`Price file: ${join(dir, "prices.json")}`);
    const json = await hud(["models", "--json"], { HUD_PRICES_FILE: join(dir, "prices.json") });
    expect(JSON.parse(json.stdout).find((r: { model: string }) => r.model === "my-finetune")).toMatchObject({
      provider: null,
      from_file: true,
    });
  });

  it("reports a malformed price file or a wrong subcommand in one line", async () => {
    writeFileSync(join(dir, "bad.json"), '{"gpt-5": {"input": 1}}');
    const bad = await hud(["models"], { HUD_PRICES_FILE: "bad.json" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `error: price file ${join(dir, "bad.json")}: "gpt-5".output must be a non-negative number of USD per million tokens (got nothing)\n`,
    );
    const wrong = await hud(["models", "show"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("error: unknown models command 'show' (try: hud models list)\n");
  });
});
