// Grader: the base class of reusable graders; grade() turns computeScore's result into a named, weighted SubScore.
import { jsonSafe } from "./json-safe.ts";
import { SubScore, type SubScoreInfo } from "./subscore.ts";

/** What computeScore may return: a value, a value with info, or a whole SubScore. */
export type ScoreResult = number | [number, SubScoreInfo] | SubScore;

/** grade()'s own options; every other key is a parameter passed to computeScore. */
export interface GradeOptions {
  /** Default 1. */
  weight?: number;
  /** Default: the grader class's name. */
  name?: string;
}

export abstract class Grader<P extends object = { [key: string]: unknown }> {
  /** Score the parameters: a value in [0, 1], `[value, info]`, or a SubScore. */
  abstract computeScore(params: P): Promise<ScoreResult> | ScoreResult;

  /** What `info._parameters` records of the parameters (default: all of them, made JSON-safe). */
  protected recordedParameters(params: P): unknown {
    return jsonSafe(params);
  }

  /** `MyGrader.grade({ weight, name, ...params })`: grade with a fresh instance. */
  static grade<P extends object>(this: new () => Grader<P>, options: GradeOptions & P): Promise<SubScore> {
    return new this().grade(options);
  }

  /** A SubScore named `name` (default: the class name) with `weight` and `info._parameters` = the parameters. */
  async grade(options: GradeOptions & P): Promise<SubScore> {
    const { weight = 1, name = this.constructor.name, ...rest } = options;
    const params = rest as unknown as P;
    const result = await this.computeScore(params);
    const parameters = this.recordedParameters(params);
    if (result instanceof SubScore) {
      return result.with({ name, weight, info: { ...result.info, _parameters: parameters } });
    }
    const [value, info] = Array.isArray(result) ? result : [result, {}];
    return new SubScore({ name, weight, value, info: { ...info, _parameters: parameters } });
  }
}
