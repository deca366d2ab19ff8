// Tool names every provider accepts, made from MCP tool names the way the Python SDK makes them.
import { createHash } from "node:crypto";
import { HudError } from "../../protocol/errors.ts";

/**
 * Runs of characters outside `[A-Za-z0-9_-]` become `_`, outer `_` are stripped (empty → `tool`); a name that
 * changed or is over 64 characters becomes its first 55 characters plus `_` and 8 hex digits of its SHA-256.
 */
export function providerToolName(original: string): string {
  const cleaned = original.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "tool";
  if (cleaned === original && cleaned.length <= 64) return cleaned;
  const digest = createHash("sha256").update(original).digest("hex").slice(0, 8);
  return `${cleaned.slice(0, 55).replace(/_+$/, "")}_${digest}`;
}

/** Check that no two tools share a provider name (the model could not tell them apart). */
export function assertUniqueNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new HudError(`two tools are both named '${name}' for the model; rename one of the MCP tools`);
    }
    seen.add(name);
  }
}
