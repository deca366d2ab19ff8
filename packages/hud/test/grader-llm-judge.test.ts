// LLMJudgeGrader against the fake model server through the real Anthropic SDK: the scoring rule, one call per
// criterion in parallel, and judge failures (not JSON, timeout, 429) ending as a retried success or a clear error.
import { describe, expect, it } from "vitest";
import { createModelClient } from "../src/agents/create-model.ts";
import { AnthropicModel } from "../src/agents/providers/anthropic/anthropic-model.ts";
import { LLMJudgeGrader } from "../src/graders/llm-judge.ts";
import type { FakeConversation, FakeModelServer, FakePolicy } from "../src/testing/index.ts";
import { promptOf, useFakeModelServer } from "./support/fake-model.ts";

const startServer = useFakeModelServer();
let server: FakeModelServer | undefined;

const criterionOf = (c: FakeConversation) =>
  /<criterion>\n([\s\S]*?)\n<\/criterion>/.exec(promptOf(c))?.[1] ?? "";
const verdict = (met: boolean, why: string) => ({
  text: JSON.stringify({ criterion_status: met ? "MET" : "UNMET", explanation: why }),
});

async function judge(policy: FakePolicy, retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 50 }) {
  server = await startServer({ policy });
  return new AnthropicModel({
    model: "claude-haiku-4-5",
    apiKey: "test",
    baseURL: server.anthropicBaseURL,
    retry,
  });
}

describe("LLMJudgeGrader", () => {
  it("judges each criterion in parallel and scores by the reference's rule", async () => {
    let arrived = 0;
    let release: () => void = () => {};
    const allThere = new Promise<void>((resolve) => {
      release = resolve;
    });
    const model = await judge(async (c) => {
      // Every criterion's call must be in flight before any is answered: sequential calls would hang here.
      if (++arrived === 3) release();
      await allThere;
      const criterion = criterionOf(c);
      if (criterion === "Names Paris as the capital") return verdict(true, "It says Paris.");
      if (criterion === "Claims Lyon is the capital")
        return { text: '```json\n{"criterion_status": "unmet", "explanation": "No Lyon."}\n```' };
      return verdict(false, "No population given.");
    });
    const score = await LLMJudgeGrader.grade({
      weight: 0.5,
      answer: "The capital of France is Paris.",
      question: "What is the capital of France?",
      criteria: [
        "Names Paris as the capital",
        ["Claims Lyon is the capital", -1],
        ["Gives the population", 0.5],
      ],
      model,
    });
    // Positive weights 1 + 0.5; Paris met (1×1), Lyon unmet (0×−1), population unmet → 1 / 1.5.
    expect(score.value).toBeCloseTo(2 / 3, 10);
    expect(score.name).toBe("LLMJudgeGrader");
    expect(score.weight).toBe(0.5);
    expect(score.info).toMatchObject({ model: "claude-haiku-4-5" });
    expect(score.children!.map((c) => [c.name, c.value, c.weight, c.info?.reason])).toEqual([
      ["Names Paris as the capital", 1, 1, "It says Paris."],
      ["Claims Lyon is the capital", 0, -1, "No Lyon."],
      ["Gives the population", 0, 0.5, "No population given."],
    ]);
    const lyon = server!.requests.find((c) => criterionOf(c) === "Claims Lyon is the capital")!;
    expect(promptOf(lyon)).toContain("<criterion_type>\nnegative\n</criterion_type>");
    expect(promptOf(lyon)).toContain("<query>\nWhat is the capital of France?\n</query>");
    expect(promptOf(lyon)).toContain("<response>\nThe capital of France is Paris.\n</response>");
    expect(lyon.system).toContain('"criterion_status"');
    expect(lyon.maxTokens).toBe(1024);
  });

  it("scores penalties alone as 1 minus what was hit, and no criteria as 0 with a reason", async () => {
    const model = await judge((c) => verdict(criterionOf(c) === "Is rude", "checked"));
    const score = await LLMJudgeGrader.grade({
      answer: "hi",
      criteria: [
        ["Is rude", -1],
        ["Is wrong", -3],
      ],
      model,
    });
    expect(score.value).toBeCloseTo(0.75, 10);
    const none = await LLMJudgeGrader.grade({ answer: "hi", criteria: [], model });
    expect(none.value).toBe(0);
    expect(none.info).toMatchObject({ error: "no criteria provided" });
  });

  it("asks again when a reply is not the JSON verdict, and fails grading when it still is not", async () => {
    let calls = 0;
    const model = await judge(() =>
      ++calls === 1 ? { text: "Sure! The criterion is clearly met." } : verdict(true, "ok"),
    );
    const score = await LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model });
    expect(score.value).toBe(1);
    expect(calls).toBe(2);

    await server!.close();
    const stubborn = await judge(() => ({ text: "I think it is MET, mostly." }));
    await expect(
      LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model: stubborn }),
    ).rejects.toThrow(
      "judge claude-haiku-4-5 did not answer with a JSON verdict on criterion 'Says x' (twice); last reply: 'I think it is MET, mostly.'",
    );
  });

  it("fails grading with a clear line when the judge times out", async () => {
    const model = await judge(() => ({ hang: true }));
    await expect(
      LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model, timeoutSeconds: 0.5 }),
    ).rejects.toThrow("judge claude-haiku-4-5 timed out after 0.5s on criterion 'Says x'");
  });

  it("retries a 429 into a success, and reports one that persists", async () => {
    let calls = 0;
    const model = await judge(() => (++calls === 1 ? { fault: 429, retryAfter: 0 } : verdict(true, "fine")));
    expect((await LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model })).value).toBe(1);
    expect(calls).toBe(2);

    await server!.close();
    const limited = await judge(() => ({ fault: 429, retryAfter: 0, message: "slow down" }));
    await expect(LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model: limited })).rejects.toThrow(
      /^judge claude-haiku-4-5 failed on criterion 'Says x': .*429.*slow down.*\(after 3 attempts\)/,
    );
  });

  it("resolves a model name through the provider plumbing (key and base URL from the environment)", async () => {
    server = await startServer({ policy: () => verdict(true, "yes") });
    const env = { ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: server.anthropicBaseURL };
    const model = createModelClient("claude-haiku-4-5", { env });
    expect((await LLMJudgeGrader.grade({ answer: "x", criteria: ["Says x"], model })).value).toBe(1);
    expect(server.requests[0]!.model).toBe("claude-haiku-4-5");
    expect(() => createModelClient("claude-haiku-4-5", { env: {} })).toThrow(
      "model 'claude-haiku-4-5' needs ANTHROPIC_API_KEY (or HUD_API_KEY with HUD_GATEWAY_URL to go through the HUD gateway)",
    );
  });
});
