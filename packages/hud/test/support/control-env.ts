// The environment the control-channel tests serve: one template per wire rule, with probes for side effects.
import { Answer, Environment, TO_GRADE_FRAME } from "hud";
import { z } from "zod";

export interface Probe {
  /** Template bodies that started running (by template id or tag). */
  bodyRan: string[];
  /** Tags whose generator `finally` block ran (cleanup happened). */
  finallyRan: string[];
  /** Opens the "gated" template's first yield. */
  openGate: () => void;
}

/** An object shaped like the graders' EvaluationResult: it knows its own grade frame. */
export class FakeEvaluation {
  readonly reward: number;
  readonly done = true;
  readonly content: string;
  readonly info: { [key: string]: unknown };
  readonly isError = false;
  readonly subscores: unknown[];
  /** When true, the frame keeps `reward` (the server must rename it). */
  private readonly raw: boolean;
  constructor(reward: number, options: { raw?: boolean } = {}) {
    this.reward = reward;
    this.content = "nice";
    this.info = { max_tile: 256 };
    this.subscores = [
      {
        name: "judge",
        weight: 1.0,
        value: 0.75,
        children: [
          { name: "criterion", weight: 1.0, value: 1.0, children: null, info: { reason: "because" } },
        ],
        info: { model: "judge-model" },
      },
    ];
    this.raw = options.raw ?? false;
  }
  [TO_GRADE_FRAME](): { [key: string]: unknown } {
    const body = {
      done: this.done,
      content: this.content,
      info: this.info,
      isError: this.isError,
      subscores: this.subscores,
    };
    return this.raw ? { reward: this.reward, ...body } : { score: this.reward, ...body };
  }
}

/** What the "graded" template yields second, chosen by its `kind` arg. */
function gradeFor(kind: string, answer: unknown): unknown {
  switch (kind) {
    case "number":
      return 0.5;
    case "object":
      return { score: 0.25, info: { detail: "partial credit" } };
    case "scoreless":
      return { reward: 1 };
    case "string":
      return "great job";
    case "evaluation":
      return new FakeEvaluation(0.75);
    case "evaluation-reward":
      return new FakeEvaluation(0.75, { raw: true });
    case "nan":
      return Number.NaN;
    case "infinity":
      return { score: Number.POSITIVE_INFINITY };
    case "answer":
      return { score: 1, answer };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

export function controlEnv(): { env: Environment; probe: Probe } {
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const probe: Probe = { bodyRan: [], finallyRan: [], openGate: () => openGate() };
  const env = new Environment({ name: "wire-test", version: "1.2.3" });

  env.template(
    {
      id: "echo",
      description: "Repeat a text",
      args: {
        type: "object",
        properties: { text: { type: "string" } },
        required: ["text"],
      },
    },
    async function* (args) {
      probe.bodyRan.push("echo");
      const answer = yield `say ${args.text}`;
      yield answer === args.text ? 1 : 0;
    },
  );

  env.template(
    {
      id: "zargs",
      description: "Args from a zod schema",
      args: z.object({ word: z.string(), count: z.number().optional() }),
      input: { type: "object", properties: { note: { type: "string" } } },
    },
    async function* ({ word, count }) {
      probe.bodyRan.push("zargs");
      yield `${word} x${count ?? 1}`;
      yield 1;
    },
  );

  env.template("framed", async function* () {
    yield { prompt: "framed prompt", bindings: { robot: { token: "slot-2" } }, extra: 7 };
    yield 1;
  });

  env.template("chat", async function* () {
    yield [
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "hi" }] },
    ];
    yield 1;
  });

  env.template("boom", async function* () {
    probe.bodyRan.push("boom");
    if (probe.bodyRan.length > 0) throw new Error("boom before the prompt");
    yield "never";
  });

  env.template("graded", async function* (args) {
    const answer = yield `grade ${String(args.kind)}`;
    if (args.kind === "none") return;
    yield gradeFor(String(args.kind), answer);
  });

  env.template({ id: "typed", returns: z.object({ n: z.number() }) }, async function* () {
    const answer: unknown = yield "give me {n}";
    const isAnswer = answer instanceof Answer;
    const { content, raw } = answer as Answer<{ n: number }>;
    yield { score: 1, isAnswer, content, raw };
  });

  const crashingSchema = {
    "~standard": {
      version: 1 as const,
      vendor: "test",
      validate: (): never => {
        throw new Error("validator crashed");
      },
    },
  };
  env.template({ id: "typed-crash", returns: crashingSchema }, async function* () {
    try {
      yield "give me anything";
      yield 1;
    } finally {
      probe.finallyRan.push("typed-crash");
    }
  });

  env.template("tagged", async function* (args) {
    const tag = String(args.tag);
    probe.bodyRan.push(tag);
    try {
      const answer = yield `tag ${tag}`;
      yield { score: 1, tag, answer };
    } finally {
      probe.finallyRan.push(tag);
    }
  });

  env.template("gated", async function* () {
    probe.bodyRan.push("gated");
    await gate;
    try {
      yield "through the gate";
      yield 1;
    } finally {
      probe.finallyRan.push("gated");
    }
  });

  env.template({ id: "solvable", solution: async () => "42" }, async function* () {
    const answer = yield "what is 6 x 7?";
    yield answer === "42" ? 1 : 0;
  });

  return { env, probe };
}
