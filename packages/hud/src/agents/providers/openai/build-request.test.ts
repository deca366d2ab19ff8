// The request body: stateless (whole conversation, store off), settings applied, empty parts left out.
import { describe, expect, it } from "vitest";
import type { ModelRequest } from "../../model/model-client.ts";
import { buildRequest } from "./build-request.ts";

const REQUEST: ModelRequest = {
  system: "You are a careful engineer.",
  messages: [{ role: "user", content: [{ type: "text", text: "Fix the tests." }] }],
  tools: [
    {
      name: "read_file",
      description: "Read a file.",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  ],
};

describe("buildRequest", () => {
  it("sends the system prompt as instructions, the conversation as input, unstored", () => {
    expect(buildRequest(REQUEST, { model: "gpt-5", maxOutputTokens: 4096 })).toEqual({
      model: "gpt-5",
      instructions: "You are a careful engineer.",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Fix the tests." }] }],
      tools: [
        {
          type: "function",
          name: "read_file",
          description: "Read a file.",
          parameters: {
            type: "object",
            properties: { path: { type: "string" } },
            required: ["path"],
            additionalProperties: false,
          },
          strict: true,
        },
      ],
      max_output_tokens: 4096,
      store: false,
      stream: false,
    });
  });

  it("lets the request's token cap win and asks for encrypted reasoning when reasoning is set", () => {
    const body = buildRequest(
      { ...REQUEST, maxTokens: 512 },
      {
        model: "gpt-5",
        maxOutputTokens: 4096,
        reasoning: { effort: "low", summary: "auto" },
        temperature: 1,
      },
    );
    expect(body).toMatchObject({
      max_output_tokens: 512,
      reasoning: { effort: "low", summary: "auto" },
      include: ["reasoning.encrypted_content"],
      temperature: 1,
    });
  });

  it("leaves out instructions, tools and the cap when there are none", () => {
    const body = buildRequest({ messages: REQUEST.messages, tools: [] }, { model: "gpt-5" });
    expect(Object.keys(body).sort()).toEqual(["input", "model", "store", "stream"]);
  });
});
