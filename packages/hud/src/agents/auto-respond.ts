// Auto-respond (python-sdk §4.3): when the model ends a turn without tool calls, a classifier decides whether it
// finished (STOP) or stopped to ask for permission or clarification (CONTINUE), in which case the loop answers
// "CONTINUE" for the user and goes on. Any failure of the classifier counts as STOP.
import type { ModelClient } from "./model/model-client.ts";

const RUBRIC = `You decide how to respond to an autonomous agent that has stopped working and sent a message.

Answer STOP when the agent says it has finished the task, is stuck, or declares the task infeasible — even when it phrases this as a question.
Answer CONTINUE when the agent asks for permission, confirmation or clarification before doing work it could do on its own.

Reply with one word: STOP or CONTINUE.`;

/** Whether the loop should answer CONTINUE to `content`. */
export async function shouldContinue(
  classifier: ModelClient,
  content: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const turn = await classifier.complete({
      system: RUBRIC,
      messages: [
        {
          role: "user",
          content: [{ type: "text", text: `Agent message: ${content}\n\nWhat is the appropriate response?` }],
        },
      ],
      tools: [],
      maxTokens: 256,
      signal,
    });
    return !turn.message.text.toUpperCase().includes("STOP");
  } catch {
    return false;
  }
}
