// EvaluationResult: a template's full grade (reward plus content, info and subscores) that knows its grade frame.
import { TO_GRADE_FRAME } from "../environment/grade.ts";
import type { SubScore } from "./subscore.ts";

export interface EvaluationResultInit {
  /** Default 0. */
  reward?: number;
  /** Default true. */
  done?: boolean;
  content?: string;
  /** Default {}. */
  info?: { [key: string]: unknown };
  /** Default false. */
  isError?: boolean;
  subscores?: readonly SubScore[];
}

export class EvaluationResult {
  readonly reward: number;
  readonly done: boolean;
  readonly content: string | undefined;
  readonly info: { [key: string]: unknown };
  readonly isError: boolean;
  readonly subscores: readonly SubScore[] | undefined;

  constructor(init: EvaluationResultInit = {}) {
    const reward = init.reward ?? 0;
    if (typeof reward !== "number" || !Number.isFinite(reward)) {
      throw new RangeError(`EvaluationResult.reward must be a finite number (got ${String(reward)})`);
    }
    this.reward = reward;
    this.done = init.done ?? true;
    this.content = init.content;
    this.info = init.info ?? {};
    this.isError = init.isError ?? false;
    this.subscores = init.subscores === undefined ? undefined : [...init.subscores];
  }

  /** The grade frame: `{score, done, content?, info, isError, subscores?}` in that key order. */
  [TO_GRADE_FRAME](): { [key: string]: unknown } {
    const frame: { [key: string]: unknown } = { score: this.reward, done: this.done };
    if (this.content !== undefined) frame.content = this.content;
    frame.info = this.info;
    frame.isError = this.isError;
    if (this.subscores !== undefined) frame.subscores = this.subscores.map((s) => s.toJSON());
    return frame;
  }

  toJSON(): { [key: string]: unknown } {
    return this[TO_GRADE_FRAME]();
  }
}
