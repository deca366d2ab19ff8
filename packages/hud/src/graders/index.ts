// Entry point `hud/graders`: text comparisons, command checks, LLM judges and composed rewards.
// A grader's result becomes a grade frame through the `TO_GRADE_FRAME` protocol exported by `hud`.
export { BashGrader, type BashGraderParams } from "./bash.ts";
export { combine, combineAll, combineAny, type SubScoreInput } from "./combine.ts";
export { EvaluationResult, type EvaluationResultInit } from "./evaluation-result.ts";
export { type GradeOptions, Grader, type ScoreResult } from "./grader.ts";
export { type Criterion, DEFAULT_JUDGE_MODEL, LLMJudgeGrader, type LLMJudgeParams } from "./llm-judge.ts";
export { SubScore, type SubScoreInfo, type SubScoreInit, type SubScoreJson } from "./subscore.ts";
export {
  type ContainsOptions,
  contains,
  containsAll,
  containsAny,
  exactMatch,
  f1Score,
  normalize,
  numericMatch,
} from "./text.ts";
