// Builds the neutral message list every wire reader produces, so merging and naming rules are the same for all.
import type { FakeMessage, FakePart } from "./conversation.ts";

/**
 * Appends parts turn by turn. Consecutive parts of one role land in one message: wire formats split a turn
 * differently (one item per tool call, one `tool` message per result), and a test should not care how.
 */
export class MessageList {
  readonly messages: FakeMessage[];

  constructor(initial: readonly FakeMessage[] = []) {
    this.messages = initial.map((message) => ({
      role: message.role,
      parts: message.parts.map((part) => ({ ...part })),
    }));
  }

  push(role: FakeMessage["role"], ...parts: FakePart[]): void {
    if (parts.length === 0) return;
    const last = this.messages.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else this.messages.push({ role, parts });
  }

  /**
   * Tool results name the call they answer: a result without a name (or, on Gemini, without an id) takes
   * it from the earlier call it matches, so policies can route on `name` whatever the API sent.
   */
  finish(): FakeMessage[] {
    const calls = new Map<string, string>();
    const pendingByName = new Map<string, string[]>();
    for (const message of this.messages) {
      for (const part of message.parts) {
        if (part.type === "tool_call") {
          calls.set(part.id, part.name);
          pendingByName.set(part.name, [...(pendingByName.get(part.name) ?? []), part.id]);
        } else if (part.type === "tool_result") {
          if (part.id === "" && part.name !== undefined)
            part.id = pendingByName.get(part.name)?.[0] ?? part.name;
          part.name ??= calls.get(part.id);
          const pending = part.name === undefined ? undefined : pendingByName.get(part.name);
          const at = pending?.indexOf(part.id) ?? -1;
          if (at >= 0) pending!.splice(at, 1);
        }
      }
    }
    return this.messages;
  }
}

/** System text from several places (instructions, system messages) joined the same way everywhere. */
export function joinSystem(pieces: readonly (string | undefined)[]): string | undefined {
  const kept = pieces.filter((piece): piece is string => piece !== undefined && piece !== "");
  return kept.length === 0 ? undefined : kept.join("\n\n");
}
