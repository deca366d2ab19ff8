// Turning what a template yields into wire frames: the prompt frame and the grade frame.
import { ErrorCode, RpcError } from "../../protocol/errors.ts";
import { isObject } from "../../protocol/jsonrpc.ts";
import type { GradeFrame, PromptFrame } from "../../protocol/methods.ts";
import { isGradeFrameSource, TO_GRADE_FRAME } from "../grade.ts";

function authoring(message: string): RpcError {
  return new RpcError(ErrorCode.ServerError, message);
}

/** First yield → prompt frame: an object with `prompt` is sent as-is, anything else is wrapped. */
export function toPromptFrame(taskId: string, value: unknown): PromptFrame {
  const frame: PromptFrame =
    isObject(value) && "prompt" in value ? { ...value, prompt: value.prompt } : { prompt: value };
  const prompt = frame.prompt;
  if (!(typeof prompt === "string" || Array.isArray(prompt) || prompt === null)) {
    throw authoring(
      `task '${taskId}' must yield a prompt string, a list of chat messages, or { prompt, ... } first; got ${kind(prompt)}`,
    );
  }
  if (Array.isArray(prompt)) {
    prompt.forEach((message, index) => {
      if (!isObject(message) || typeof message.role !== "string") {
        throw authoring(`task '${taskId}': prompt message ${index} must be an object with a string 'role'`);
      }
    });
  }
  assertSerializable(taskId, "prompt", frame);
  return frame;
}

/** Second yield → grade frame (see the wire contract's grade normalization rules). */
export function toGradeFrame(taskId: string, value: unknown): GradeFrame {
  let frame: { [key: string]: unknown };
  if (typeof value === "number") frame = { score: value };
  else if (isGradeFrameSource(value)) frame = renameReward(value[TO_GRADE_FRAME]());
  else if (isObject(value)) frame = { ...value };
  else {
    throw authoring(
      `task '${taskId}' must yield a number, { score, ... }, or an EvaluationResult as its grade; got ${kind(value)}`,
    );
  }
  const score = frame.score;
  if (typeof score !== "number") {
    throw authoring(`task '${taskId}': the grade must include a numeric 'score' (got ${kind(score)})`);
  }
  if (!Number.isFinite(score))
    throw authoring(`task '${taskId}': the grade score must be finite (got ${score})`);
  assertSerializable(taskId, "grade", frame);
  return frame as GradeFrame;
}

/** An evaluation result's frame carries `reward`; on the wire it is `score` (first, as the Python SDK writes it). */
function renameReward(frame: { [key: string]: unknown }): { [key: string]: unknown } {
  if (!isObject(frame) || "score" in frame || !("reward" in frame)) return frame;
  const { reward, ...rest } = frame;
  return { score: reward, ...rest };
}

function assertSerializable(taskId: string, what: string, frame: object): void {
  try {
    JSON.stringify(frame);
  } catch (error) {
    throw authoring(
      `task '${taskId}': the ${what} frame is not JSON-serializable: ${(error as Error).message}`,
    );
  }
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string")
    return `a string ('${value.length > 40 ? `${value.slice(0, 40)}…` : value}')`;
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}
