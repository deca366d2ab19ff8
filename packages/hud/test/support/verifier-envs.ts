// Environments the verifier rollout tests share: an actor whose grade carries its answer, and a judge of it.
import { Environment } from "hud";

/** An actor env whose `solve` grades `{score: 0.25, answer}`, and a judge env whose `verify` checks the answer. */
export function actorAndJudge() {
  const actor = new Environment({ name: "actor" });
  actor.template("solve", async function* () {
    const answer = yield "answer secret";
    yield { score: 0.25, answer };
  });
  const judge = new Environment({ name: "judge" });
  judge.template("verify", async function* () {
    const result = (yield "") as { answer?: unknown };
    yield result.answer === "secret" ? 1 : 0;
  });
  return { actor, judge };
}
