// The nop agent: submits an empty answer without doing anything (a floor for rewards, a smoke test for graders).
import type { Agent } from "../../eval/agent.ts";
import type { Run } from "../../eval/run.ts";

async function submitNothing(run: Run): Promise<void> {
  run.trace.record({ source: "agent", content: "", done: true });
  run.trace.content = "";
}

export const nop: Agent = { run: submitNothing, config: {} };
