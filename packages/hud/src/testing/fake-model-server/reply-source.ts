// Where replies come from: the script in order, then the policy; a mistake in either is the test's, said plainly.
import type { FakeAnswer, FakeConversation, FakeFault, FakePolicy, FakeReply } from "./conversation.ts";

/** A fault in the test's own script or policy (not a simulated provider fault): sent as a 500 never retried. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(`fake model server: ${message}`);
    this.name = "HarnessError";
  }
}

export type CheckedReply =
  | { kind: "answer"; answer: FakeAnswer }
  | { kind: "fault"; fault: FakeFault }
  | { kind: "hang" };

function check(reply: unknown): CheckedReply {
  if (typeof reply !== "object" || reply === null) {
    throw new HarnessError(`a reply must be an object, got ${reply === null ? "null" : typeof reply}`);
  }
  if ("hang" in reply && reply.hang === true) return { kind: "hang" };
  if ("fault" in reply) {
    const fault = reply as FakeFault;
    if (!Number.isInteger(fault.fault) || fault.fault < 400 || fault.fault > 599) {
      throw new HarnessError(`fault must be an HTTP error status (400-599), got ${String(fault.fault)}`);
    }
    return { kind: "fault", fault };
  }
  return { kind: "answer", answer: reply as FakeAnswer };
}

export class ReplySource {
  readonly #script: readonly FakeReply[] | undefined;
  readonly #policy: FakePolicy | undefined;
  #used = 0;

  constructor(script: readonly FakeReply[] | undefined, policy: FakePolicy | undefined) {
    this.#script = script === undefined ? undefined : [...script];
    this.#policy = policy;
  }

  async next(conversation: FakeConversation): Promise<CheckedReply> {
    if (this.#script !== undefined && this.#used < this.#script.length)
      return check(this.#script[this.#used++]);
    if (this.#policy !== undefined) {
      let reply: FakeReply;
      try {
        reply = await this.#policy(conversation);
      } catch (error) {
        throw new HarnessError(`the policy threw: ${error instanceof Error ? error.message : String(error)}`);
      }
      return check(reply);
    }
    if (this.#script !== undefined) {
      throw new HarnessError(
        `script exhausted: all ${this.#script.length} scripted replies were used, and this ${conversation.api} request has none`,
      );
    }
    return { kind: "answer", answer: { text: "ok" } };
  }
}
