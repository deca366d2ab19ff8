// Entry point `hud/graders`: text comparisons, command checks, LLM judges and composed rewards.
// A grader's result becomes a grade frame through the `TO_GRADE_FRAME` protocol exported by `hud`.
export {};
