// Grade: the runner's reading of a grade frame (python-sdk §2.1 Grade.from_dict), with subscores checked.
import { ErrorCode, RpcError } from "../protocol/errors.ts";
import { isObject, type JsonObject } from "../protocol/jsonrpc.ts";

const SUBSCORE_KEYS = new Set(["name", "weight", "value", "children", "info", "metadata"]);

/** Validate a subscore tree and return it without `info` at any level (the evaluation view). */
function evaluationSubscore(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalid(`${path} must be an object`);
  for (const key of Object.keys(value)) {
    if (!SUBSCORE_KEYS.has(key)) throw invalid(`${path}: unknown key '${key}'`);
  }
  if (typeof value.name !== "string") throw invalid(`${path}.name must be a string`);
  if (typeof value.value !== "number" || !(value.value >= 0 && value.value <= 1)) {
    throw invalid(`${path}.value must be a number between 0 and 1 (got ${JSON.stringify(value.value)})`);
  }
  if (value.weight !== undefined && typeof value.weight !== "number")
    throw invalid(`${path}.weight must be a number`);
  const out: JsonObject = { name: value.name, weight: value.weight ?? 1, value: value.value };
  if (value.children === undefined || value.children === null) out.children = null;
  else if (Array.isArray(value.children)) {
    out.children = value.children.map((child, i) => evaluationSubscore(child, `${path}.children[${i}]`));
  } else throw invalid(`${path}.children must be a list`);
  return out;
}

function invalid(message: string): RpcError {
  return new RpcError(ErrorCode.InternalError, `tasks.grade: invalid subscores: ${message}`);
}

export class Grade {
  readonly reward: number;
  readonly done: boolean;
  readonly content: string | undefined;
  readonly info: JsonObject | undefined;
  readonly isError: boolean;
  /** The grade frame as received ({} when ungraded). */
  readonly raw: JsonObject;
  /** The frame with subscores validated and stripped of `info` (what leaderboards compare). */
  readonly evaluation: JsonObject;

  constructor(init: Partial<Omit<Grade, "evaluation">> & { evaluation?: JsonObject } = {}) {
    this.reward = init.reward ?? 0;
    this.done = init.done ?? true;
    this.content = init.content;
    this.info = init.info;
    this.isError = init.isError ?? false;
    this.raw = init.raw ?? {};
    this.evaluation = init.evaluation ?? {};
  }

  /** Read a grade frame; a frame without a numeric score or with malformed subscores is an error. */
  static fromFrame(frame: JsonObject): Grade {
    const score = frame.score;
    if (typeof score !== "number" || !Number.isFinite(score)) {
      throw new RpcError(ErrorCode.InternalError, "tasks.grade: result must include a numeric 'score'");
    }
    const evaluation: JsonObject = { ...frame };
    if (frame.subscores !== undefined && frame.subscores !== null) {
      if (!Array.isArray(frame.subscores)) throw invalid("'subscores' must be a list");
      evaluation.subscores = frame.subscores.map((s, i) => evaluationSubscore(s, `subscores[${i}]`));
    }
    return new Grade({
      reward: score,
      done: typeof frame.done === "boolean" ? frame.done : true,
      content: typeof frame.content === "string" ? frame.content : undefined,
      info: isObject(frame.info) ? frame.info : undefined,
      isError: Boolean(frame.isError),
      raw: { ...frame },
      evaluation,
    });
  }

  /** A grading failure recorded as a zero, errored grade (the answer is kept in `raw`). */
  static failed(detail: string, answer: unknown): Grade {
    return new Grade({
      reward: 0,
      content: detail,
      isError: true,
      raw: { score: 0, answer: answer ?? null, content: detail, isError: true },
    });
  }
}
