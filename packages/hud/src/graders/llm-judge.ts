// LLMJudgeGrader: a model judges an answer against rubric criteria, one call per criterion, in parallel
// (python-sdk §7). Unlike the Python SDK, a reply that is not the asked-for JSON verdict is asked again once
// and then fails grading — a broken judge never turns into a silent 0.
import { createModelClient } from "../agents/create-model.ts";
import type { ModelClient } from "../agents/model/model-client.ts";
import { HudError } from "../protocol/errors.ts";
import { Grader, type ScoreResult } from "./grader.ts";
import { SubScore } from "./subscore.ts";

export type Criterion = string | readonly [text: string, weight: number];

export interface LLMJudgeParams {
  /** The answer being judged (non-strings are judged as their JSON text). */
  answer: unknown;
  /** What to check; a negative weight marks a mistake to avoid (MET means the mistake was made). */
  criteria: readonly Criterion[];
  /** The task's question, shown to the judge for context. */
  question?: string;
  /** A model id resolved like the agents' (gateway or provider key), or a client. Default `claude-haiku-4-5`. */
  model?: string | ModelClient;
  /** Seconds per judge call (default 120). */
  timeoutSeconds?: number;
  /** Stops the judge calls (pass the template's `signal`). */
  signal?: AbortSignal;
}

export const DEFAULT_JUDGE_MODEL = "claude-haiku-4-5";
const MAX_TOKENS = 1024;

const SYSTEM_PROMPT = `You are a strict, fair grader. You get one criterion and a response, and you decide whether the thing the criterion describes is PRESENT in the response.

- A positive criterion describes something the response should do: it is MET if the response satisfies it.
- A negative criterion describes a mistake: it is MET if the response makes that mistake.

Be strict about facts, numbers and requirements; be flexible about wording and format. Judge only the response, using the query for context.

Reply with raw JSON only, no code fences and no other text:
{"criterion_status": "MET" or "UNMET", "explanation": "<one or two sentences>"}`;

function userPrompt(criterion: string, negative: boolean, question: string, answer: string): string {
  const query = question === "" ? "" : `<query>\n${question}\n</query>\n\n`;
  return (
    `<criterion_type>\n${negative ? "negative" : "positive"}\n</criterion_type>\n\n` +
    `<criterion>\n${criterion}\n</criterion>\n\n${query}<response>\n${answer}\n</response>`
  );
}

/** The verdict in a judge reply, or undefined when the reply is not the JSON asked for. */
export function parseVerdict(reply: string): { met: boolean; reason: string } | undefined {
  const text = reply.replace(/```(?:json)?/gi, "");
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { criterion_status: status, explanation } = value as Record<string, unknown>;
  if (typeof status !== "string" || !/^(un)?met$/i.test(status.trim())) return undefined;
  return {
    met: status.trim().toUpperCase() === "MET",
    reason: typeof explanation === "string" ? explanation : "",
  };
}

/** The reference's rule: positive weights normalize, penalties subtract; no positive weight → 1 minus penalties. */
export function judgeValue(children: readonly { value: number; weight: number }[]): number {
  const positive = children.reduce((sum, c) => sum + Math.max(0, c.weight), 0);
  const negative = children.reduce((sum, c) => sum + (c.weight < 0 ? -c.weight : 0), 0);
  const score = children.reduce((sum, c) => sum + c.value * c.weight, 0);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  if (positive > 0) return clamp(score / positive);
  if (negative > 0) return clamp(1 + score / negative);
  return 0;
}

function criterionParts(criterion: Criterion): [string, number] {
  if (typeof criterion === "string") return [criterion, 1];
  const [text, weight] = criterion;
  if (typeof text !== "string" || typeof weight !== "number" || !Number.isFinite(weight)) {
    throw new HudError(
      `LLMJudgeGrader: a criterion must be a string or [text, weight] (got ${JSON.stringify(criterion)})`,
    );
  }
  return [text, weight];
}

export class LLMJudgeGrader extends Grader<LLMJudgeParams> {
  protected override recordedParameters(params: LLMJudgeParams): unknown {
    const { signal: _signal, model, ...rest } = params;
    return super.recordedParameters({
      ...rest,
      model: typeof model === "object" ? model.model : model,
    } as never);
  }

  async computeScore(params: LLMJudgeParams): Promise<ScoreResult> {
    if (params.criteria.length === 0) return [0, { error: "no criteria provided" }];
    const client =
      typeof params.model === "object"
        ? params.model
        : createModelClient(params.model ?? DEFAULT_JUDGE_MODEL);
    const answer =
      typeof params.answer === "string" ? params.answer : (JSON.stringify(params.answer) ?? "null");
    const children = await Promise.all(
      params.criteria.map(async (criterion) => {
        const [text, weight] = criterionParts(criterion);
        const verdict = await this.judge(client, text, weight < 0, params, answer);
        return new SubScore({
          name: text,
          value: verdict.met ? 1 : 0,
          weight,
          info: { reason: verdict.reason },
        });
      }),
    );
    return new SubScore({
      name: "LLMJudgeGrader",
      value: judgeValue(children),
      children,
      info: { model: client.model },
    });
  }

  /** One criterion: ask, and ask again once if the reply is not a verdict. */
  private async judge(
    client: ModelClient,
    criterion: string,
    negative: boolean,
    params: LLMJudgeParams,
    answer: string,
  ) {
    const seconds = params.timeoutSeconds ?? 120;
    const prompt = userPrompt(criterion, negative, params.question ?? "", answer);
    let reply = "";
    for (let attempt = 1; attempt <= 2; attempt++) {
      const timeout = AbortSignal.timeout(seconds * 1000);
      const signal = params.signal ? AbortSignal.any([params.signal, timeout]) : timeout;
      try {
        const turn = await client.complete({
          system: SYSTEM_PROMPT,
          messages: [{ role: "user", content: [{ type: "text", text: prompt }] }],
          tools: [],
          maxTokens: MAX_TOKENS,
          signal,
        });
        reply = turn.message.text;
      } catch (error) {
        if (timeout.aborted && !params.signal?.aborted) {
          throw new HudError(`judge ${client.model} timed out after ${seconds}s on criterion '${criterion}'`);
        }
        throw new HudError(
          `judge ${client.model} failed on criterion '${criterion}': ${(error as Error).message}`,
          { cause: error },
        );
      }
      const verdict = parseVerdict(reply);
      if (verdict) return verdict;
    }
    const shown = reply.replace(/\s+/g, " ").slice(0, 120);
    throw new HudError(
      `judge ${client.model} did not answer with a JSON verdict on criterion '${criterion}' (twice); last reply: '${shown}'`,
    );
  }
}
