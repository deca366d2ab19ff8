// MessageList: one role's consecutive parts merge, and tool results learn the name (or id) of their call.
import { describe, expect, it } from "vitest";
import { MessageList } from "./message-list.ts";

describe("MessageList", () => {
  it("merges consecutive parts of one role and skips empty pushes", () => {
    const list = new MessageList();
    list.push("user", { type: "text", text: "a" });
    list.push("user");
    list.push("user", { type: "text", text: "b" });
    list.push("assistant", { type: "text", text: "c" });
    expect(list.finish()).toEqual([
      {
        role: "user",
        parts: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      { role: "assistant", parts: [{ type: "text", text: "c" }] },
    ]);
  });

  it("names results by their call's id, and gives id-less results the next unanswered call of that name", () => {
    const list = new MessageList();
    list.push(
      "assistant",
      { type: "tool_call", id: "c1", name: "look", arguments: {} },
      { type: "tool_call", id: "c2", name: "look", arguments: {} },
      { type: "tool_call", id: "c3", name: "run", arguments: {} },
    );
    list.push(
      "user",
      { type: "tool_result", id: "c3", text: "ran" },
      { type: "tool_result", id: "", name: "look", text: "first" },
      { type: "tool_result", id: "", name: "look", text: "second" },
      { type: "tool_result", id: "", name: "never-called", text: "?" },
    );
    const results = list.finish()[1]!.parts;
    expect(results).toEqual([
      { type: "tool_result", id: "c3", name: "run", text: "ran" },
      { type: "tool_result", id: "c1", name: "look", text: "first" },
      { type: "tool_result", id: "c2", name: "look", text: "second" },
      { type: "tool_result", id: "never-called", name: "never-called", text: "?" },
    ]);
  });

  it("copies its starting messages rather than sharing them", () => {
    const stored = [{ role: "user" as const, parts: [{ type: "text" as const, text: "old" }] }];
    const list = new MessageList(stored);
    list.push("user", { type: "text", text: "new" });
    expect(stored[0]!.parts).toHaveLength(1);
  });
});
