// The environment file the rollout benchmarks serve: one template that prompts and grades 1.
import { Environment } from "hud";

export const env = new Environment({ name: "bench", version: "1.0.0" });

env.template("noop", async function* () {
  yield "go";
  yield 1;
});
