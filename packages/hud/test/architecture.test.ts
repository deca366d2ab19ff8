// The design's dependency rules, enforced: layers import only layers above them, and no import cycles.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");
/**
 * design.md's layout order: a layer may import only itself and the layers before it. One deliberate
 * change: runtime sits before eval, because a rollout consumes placements (design.md's own data flow).
 */
const LAYERS = [
  "protocol",
  "capabilities",
  "environment",
  "client",
  "runtime",
  "eval",
  "agents",
  "graders",
  "telemetry",
  "store",
  "cli",
  "testing",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specs.map((spec) => resolve(dirname(file), spec));
}

function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file).split("/");
  return rel.length > 1 ? rel[0] : undefined;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("architecture", () => {
  it("every source file sits in a known layer (entry points excepted)", () => {
    const unknown = files.filter((f) => layerOf(f) !== undefined && !LAYERS.includes(layerOf(f)!));
    expect(unknown.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("imports point only to the same or an earlier layer", () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of imports) {
        const to = layerOf(target);
        if (to === undefined)
          violations.push(`${relative(SRC, file)} imports the entry point ${relative(SRC, target)}`);
        else if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
          violations.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("has no import cycles, not even through type-only imports", () => {
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, stack: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...stack.slice(stack.indexOf(file)), file].map((f) => relative(SRC, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...stack, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
