// The fake model server against the real @google/genai SDK: text, SSE streaming, function calls, faults.
import { ApiError, FinishReason, GoogleGenAI, type HttpOptions } from "@google/genai";
import { describe, expect, it } from "vitest";
import type { FakeModelServer } from "../src/testing/index.ts";
import { useFakeModelServer } from "./support/fake-model.ts";

const PNG = "iVBORw0KGgo=";
const start = useFakeModelServer();

function client(s: FakeModelServer, httpOptions: Omit<HttpOptions, "baseUrl"> = {}) {
  return new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: s.geminiBaseURL, ...httpOptions } });
}

const declarations = [
  { name: "get_weather", description: "Weather", parametersJsonSchema: { type: "object" } },
];

describe("fake model server: Gemini", () => {
  it("answers generateContent and records it normalized", async () => {
    const s = await start([{ text: "Hello there" }]);
    const response = await client(s).models.generateContent({
      model: "gemini-test",
      contents: "Hi",
      config: { systemInstruction: "Be brief", maxOutputTokens: 64 },
    });
    expect(response.text).toBe("Hello there");
    expect(response.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 3,
      totalTokenCount: 6,
    });
    const [request] = s.requests;
    expect(request).toMatchObject({
      api: "gemini",
      model: "gemini-test",
      system: "Be brief",
      maxTokens: 64,
      stream: false,
    });
    expect(request?.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Hi" }] }]);
    expect(request?.apiKey).toEqual({ via: "x-goog-api-key", value: "test-key" });
  });

  it("serves the v1beta path too", async () => {
    const s = await start([{ text: "beta" }]);
    const response = await client(s, { apiVersion: "v1beta" }).models.generateContent({
      model: "m",
      contents: "x",
    });
    expect(response.text).toBe("beta");
  });

  it("streams text (thoughts apart) over SSE, usage on the last chunk", async () => {
    const s = await start([
      {
        reasoning: "pondering",
        text: "The answer is forty-two, of course.",
        usage: { input: 30, output: 12, cached: 10 },
      },
    ]);
    const stream = await client(s).models.generateContentStream({ model: "gemini-test", contents: "Hi" });
    const texts: string[] = [];
    let thoughts = "";
    let last: Awaited<ReturnType<typeof stream.next>>["value"];
    for await (const chunk of stream) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) thoughts += part.text ?? "";
        else if (part.text) texts.push(part.text);
      }
      last = chunk;
    }
    expect(texts.join("")).toBe("The answer is forty-two, of course.");
    expect(texts.length).toBeGreaterThan(1);
    expect(thoughts).toBe("pondering");
    expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(last?.usageMetadata).toMatchObject({
      promptTokenCount: 30,
      cachedContentTokenCount: 10,
      thoughtsTokenCount: 3,
      candidatesTokenCount: 9,
      totalTokenCount: 42,
    });
    expect(s.requests[0]?.stream).toBe(true);
  });

  it("round-trips function calls and normalizes function responses, image parts included", async () => {
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
      { text: "done" },
    ]);
    const ai = client(s);
    const config = { tools: [{ functionDeclarations: declarations }, { googleSearch: {} }] };
    const first = await ai.models.generateContent({ model: "gemini-test", contents: "Weather?", config });
    const call = first.functionCalls?.[0];
    expect(call).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    expect(s.requests[0]?.tools).toEqual([
      { name: "get_weather", kind: "function", description: "Weather", parameters: { type: "object" } },
      { name: "googleSearch", kind: "googleSearch" },
    ]);
    const second = await ai.models.generateContent({
      model: "gemini-test",
      config,
      contents: [
        { role: "user", parts: [{ text: "Weather?" }] },
        first.candidates![0]!.content!,
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                id: call!.id,
                name: "get_weather",
                response: { output: "sunny" },
                parts: [{ inlineData: { mimeType: "image/png", data: PNG } }],
              },
            },
            // A legacy response without an id is matched to its call by name.
            { functionResponse: { name: "get_weather", response: { error: "radar offline" } } },
          ],
        },
      ],
    });
    expect(second.text).toBe("done");
    const messages = s.requests[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]!.parts).toEqual([
      { type: "tool_call", id: call!.id, name: "get_weather", arguments: { city: "Paris" } },
    ]);
    expect(messages[2]!.parts).toEqual([
      {
        type: "tool_result",
        id: call!.id,
        name: "get_weather",
        text: "sunny",
        images: [{ mediaType: "image/png", data: PNG }],
      },
      { type: "tool_result", id: "get_weather", name: "get_weather", text: "radar offline", isError: true },
    ]);
  });

  it("streams function calls and reports a length finish as MAX_TOKENS", async () => {
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: { city: "Rome" } }] },
      { text: "cut", finish: "length" },
    ]);
    const stream = await client(s).models.generateContentStream({
      model: "gemini-test",
      contents: "Weather?",
      config: { tools: [{ functionDeclarations: declarations }] },
    });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toMatchObject([{ name: "get_weather", args: { city: "Rome" } }]);
    const cut = await client(s).models.generateContent({ model: "gemini-test", contents: "x" });
    expect(cut.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS);
  });

  it("reports malformed arguments the way Gemini does: MALFORMED_FUNCTION_CALL quoting the raw string", async () => {
    const raw = '{"city": "Par';
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
    ]);
    const response = await client(s).models.generateContent({ model: "gemini-test", contents: "x" });
    expect(response.candidates?.[0]?.finishReason).toBe(FinishReason.MALFORMED_FUNCTION_CALL);
    expect(response.functionCalls).toBeUndefined();
    // The SDK drops `finishMessage` from Gemini API responses; on the wire it quotes the raw attempt.
    const wire = await fetch(`${s.url}/v1beta/models/gemini-test:generateContent`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }] }),
    });
    const body = (await wire.json()) as { candidates: { finishReason: string; finishMessage: string }[] };
    expect(body.candidates[0]).toMatchObject({ finishReason: "MALFORMED_FUNCTION_CALL" });
    expect(body.candidates[0]?.finishMessage).toContain(raw);
  });

  it("turns a 429 into ApiError 429, and the SDK's retry (when configured) then succeeds", async () => {
    const s = await start([
      { fault: 429, retryAfter: 7, message: "quota" },
      { fault: 429 },
      { text: "after retry" },
    ]);
    const error = await client(s)
      .models.generateContent({ model: "gemini-test", contents: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect(JSON.parse((error as ApiError).message)).toEqual({
      error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" },
    });
    const retrying = client(s, { retryOptions: { attempts: 2, initialDelay: 0.01, maxDelay: 0.01 } });
    const ok = await retrying.models.generateContent({ model: "gemini-test", contents: "x" });
    expect(ok.text).toBe("after retry");
    expect(s.requests).toHaveLength(3);
  });

  it("turns a 500 into ApiError 500", async () => {
    const s = await start([{ fault: 500 }]);
    await expect(
      client(s).models.generateContent({ model: "gemini-test", contents: "x" }),
    ).rejects.toMatchObject({
      name: "ApiError",
      status: 500,
    });
  });

  it("hangs until the SDK's timeout gives up", async () => {
    const s = await start([{ hang: true }]);
    await expect(
      client(s, { timeout: 300 }).models.generateContent({ model: "gemini-test", contents: "x" }),
    ).rejects.toThrow(/abort/i);
  });

  it("says clearly when the script is exhausted", async () => {
    const s = await start([]);
    await expect(client(s).models.generateContent({ model: "gemini-test", contents: "x" })).rejects.toThrow(
      /script exhausted/,
    );
  });
});
