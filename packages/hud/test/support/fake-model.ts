// The fake model server in integration tests: one started per test and closed after it, readers that pull the
// prompt, text and tool results out of the conversations it records, the quickstart's right answer, and the
// agent and tool steps and the errors a model agent leaves in a trace.
import OpenAI from "openai";
import type { AgentStep, Step, ToolStep } from "../../src/eval/trace.ts";
import {
  type FakeConversation,
  type FakeModelServer,
  type FakeModelServerOptions,
  type FakePart,
  type FakeReply,
  startFakeModelServer,
} from "../../src/testing/index.ts";
import { useCleanup } from "./cleanup.ts";

/**
 * Call once at module top level; returns `start(options)`, which starts a fake model server that is closed
 * after the test. A script alone may be passed as the array of replies.
 */
export function useFakeModelServer(): (
  options?: FakeModelServerOptions | FakeReply[],
) => Promise<FakeModelServer> {
  const defer = useCleanup();
  return async (options = {}) => {
    const server = await startFakeModelServer(Array.isArray(options) ? { script: options } : options);
    defer(() => server.close());
    return server;
  };
}

/** The real OpenAI SDK pointed at `server`, with no retries of its own. */
export function openaiClient(
  server: FakeModelServer,
  options: { maxRetries?: number; timeout?: number } = {},
) {
  return new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseURL, maxRetries: 0, ...options });
}

export const partsOf = (conversation: FakeConversation): FakePart[] =>
  conversation.messages.flatMap((m) => m.parts);

/** The conversation's first text: the task's prompt. */
export function promptOf(conversation: FakeConversation): string {
  return partsOf(conversation).find((p) => p.type === "text")?.text ?? "";
}

/** Every text of the conversation, one per line. */
export function textOf(conversation: FakeConversation): string {
  return partsOf(conversation)
    .map((p) => (p.type === "text" ? p.text : ""))
    .join("\n");
}

export function toolResults(conversation: FakeConversation): Extract<FakePart, { type: "tool_result" }>[] {
  return partsOf(conversation).filter((p) => p.type === "tool_result");
}

/** The right answer to the quickstart's "How many times does the letter 'r' appear in 'strawberry'?", if asked. */
export function letterCount(text: string): string | undefined {
  const [, letter, word] = /letter '(.)' appear in '([^']+)'/.exec(text) ?? [];
  return word === undefined ? undefined : String([...word].filter((c) => c === letter).length);
}

export const agentSteps = (steps: readonly Step[]) =>
  steps.filter((s): s is AgentStep => s.source === "agent");
export const toolSteps = (steps: readonly Step[]) => steps.filter((s): s is ToolStep => s.source === "tool");

/** The errors system steps recorded: where a call that finally failed shows in a trace. */
export const systemErrors = (steps: readonly Step[]): string[] =>
  steps.flatMap((s) => (s.source === "system" && s.error !== undefined ? [s.error] : []));
