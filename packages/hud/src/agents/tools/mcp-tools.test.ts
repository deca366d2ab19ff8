import { describe, expect, it } from "vitest";
import { toolOutputOf } from "./mcp-tools.ts";

describe("toolOutputOf: MCP results as model content", () => {
  it("keeps text and images, describes other blocks, and passes the error flag and structured content", () => {
    const output = toolOutputOf({
      content: [
        { type: "text", text: "hello" },
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
        { type: "resource", resource: { uri: "file:///a.txt", text: "inside" } },
        { type: "resource", resource: { uri: "file:///b.bin", blob: "AAAA" } },
        { type: "audio", data: "UklGRg==", mimeType: "audio/wav" },
      ],
      isError: true,
      structuredContent: { ok: false },
    });
    expect(output).toEqual({
      content: [
        { type: "text", text: "hello" },
        { type: "image", mediaType: "image/png", data: "iVBORw0KGgo=" },
        { type: "text", text: "inside" },
        { type: "text", text: "[resource file:///b.bin]" },
        { type: "text", text: "[audio content]" },
      ],
      isError: true,
      structured: { ok: false },
    });
  });

  it("shows structured content as text when there is no other content", () => {
    expect(
      toolOutputOf({ content: [], isError: false, structuredContent: { temperature: 21 } }).content,
    ).toEqual([{ type: "text", text: '{"temperature":21}' }]);
  });
});
