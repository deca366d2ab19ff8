// The grade-frame protocol for objects that know their wire form (e.g. EvaluationResult from hud/graders).

/** An object with this method becomes the grade frame it returns (`reward` already renamed to `score`). */
export const TO_GRADE_FRAME = Symbol.for("hud.toGradeFrame");

export interface GradeFrameSource {
  [TO_GRADE_FRAME](): { [key: string]: unknown };
}

export function isGradeFrameSource(value: unknown): value is GradeFrameSource {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<GradeFrameSource>)[TO_GRADE_FRAME] === "function"
  );
}
