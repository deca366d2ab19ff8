// The oracle agent: asks the environment for the template's reference solution (`tasks.solve`) and submits it.
import type { Agent } from "../../eval/agent.ts";
import type { Run } from "../../eval/run.ts";
import { ErrorCode, HudError, RpcError } from "../../protocol/errors.ts";

/** Strings are submitted as they are; anything else as its JSON text. */
export function answerText(answer: unknown): string {
  return typeof answer === "string" ? answer : (JSON.stringify(answer) ?? "null");
}

function lacksSolution(error: unknown): boolean {
  return (
    RpcError.is(error) &&
    (error.code === ErrorCode.MethodNotFound || /no reference solution/i.test(error.message))
  );
}

async function solve(run: Run): Promise<void> {
  if (!run.client) throw new HudError("oracle: this run has no live connection");
  let answer: unknown;
  try {
    answer = await run.client.solve();
  } catch (error) {
    // Older peers do not know tasks.solve; templates may have no solution. Either way: one clear line.
    if (lacksSolution(error)) throw new HudError(`no reference solution for '${run.task_id}'`);
    throw error;
  }
  const content = answerText(answer);
  run.trace.record({ source: "agent", content, done: true });
  run.trace.content = content;
}

export const oracle: Agent = { run: solve, config: {} };
