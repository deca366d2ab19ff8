// `hud eval` with HUD_TELEMETRY_LOCAL_DIR: one span file per rollout, one hud.step.v1 span per stored step.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { hud } from "./fixtures/cli/run-hud.ts";

describe("hud eval span files", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-spans-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("writes the Python SDK's span lines for every step of every rollout", async () => {
    const spans = join(home, "spans");
    const result = await hud(["eval", "examples/quickstart/tasks.ts", "oracle", "--group", "2", "--json"], {
      home,
      env: { HUD_TELEMETRY_LOCAL_DIR: spans },
    });
    expect(result.code, result.stderr).toBe(0);
    const { job_id } = JSON.parse(result.stdout);
    const files = (await readdir(spans)).sort();
    using store = LocalStore.open(home);
    const traces = store.jobDetail(job_id).traces;
    expect(files).toEqual(traces.map((t) => `${t.trace_id}.jsonl`).sort());
    for (const trace of traces) {
      const lines = (await readFile(join(spans, `${trace.trace_id}.jsonl`), "utf8")).trimEnd().split("\n");
      const stored = store.trace(trace.trace_id).steps;
      expect(lines.map((line) => JSON.parse(line).name)).toEqual(stored.map((step) => `step.${step.source}`));
      const first = JSON.parse(lines[0]!);
      expect(first.trace_id).toBe(trace.trace_id);
      expect(first.attributes["hud.schema"]).toBe("hud.step.v1");
      expect(first.attributes["hud.payload"].step_id).toBe(1);
    }
  });
});
