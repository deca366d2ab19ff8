// The observer's pure parts: recognising workspace diff steps and bounding what a step records.
import { describe, expect, it } from "vitest";
import type { DiffResult } from "../capabilities/clients/filetracking-wire.ts";
import { Task } from "../environment/task.ts";
import { boundDiff, observeFileTracking, workspaceDiffOf } from "./file-tracking-observer.ts";
import { Run } from "./run.ts";
import { Trace } from "./trace.ts";

function diffOf(...patches: string[]): DiffResult {
  return {
    snapshot_timestamp: "2026-01-01T00:00:00.000Z",
    scan_duration_ms: 1,
    files_scanned: patches.length,
    files_changed: patches.length,
    patches: patches.map((patch, i) => ({
      path: `f${i}.txt`,
      status: "added",
      patch,
      size_before: null,
      size_after: 1,
      content_hash_before: null,
      content_hash_after: "h",
    })),
  };
}

describe("boundDiff", () => {
  it("keeps a diff within the budget as it is", () => {
    const diff = diffOf("aaaa", "bbbb");
    expect(boundDiff(diff, 8)).toBe(diff);
  });

  it("replaces the patches past the budget and marks the diff truncated", () => {
    const bounded = boundDiff(diffOf("aaaa", "bbbbbb", "cc"), 7);
    expect(bounded.truncated).toBe(true);
    expect(bounded.patches.map((p) => p.patch)).toEqual([
      "aaaa",
      "[diff omitted: the trace step limit was reached]\n",
      "cc",
    ]);
    expect(bounded.files_changed).toBe(3);
  });
});

describe("workspaceDiffOf", () => {
  it("recognises the steps the observer records, and only those", () => {
    const trace = new Trace();
    const diffStep = trace.record({
      source: "system",
      extra: { workspace_diff: diffOf("x"), workspace: "ft" },
    });
    const errorStep = trace.record({ source: "system", error: "boom" });
    expect(workspaceDiffOf(diffStep)?.workspace).toBe("ft");
    expect(workspaceDiffOf(errorStep)).toBeUndefined();
    expect(workspaceDiffOf({ ...errorStep, extra: { workspace_diff: "nope" } })).toBeUndefined();
  });
});

describe("observeFileTracking", () => {
  it("does nothing for a run without a filetracking binding", async () => {
    const run = new Run({ task: new Task({ env: "e", id: "t" }) });
    const observer = await observeFileTracking(run, { onWarning: () => expect.fail("no warning expected") });
    expect(observer.active).toBe(false);
    run.trace.record({ source: "tool" });
    await observer.finish();
    expect(run.trace.steps.map((s) => s.source)).toEqual(["tool"]);
  });
});
