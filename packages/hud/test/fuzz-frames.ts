// Seeded frame generator and reply oracle for the control-channel fuzz test (a failing seed always reproduces).

export type Rand = () => number;

/** mulberry32: small, fast, deterministic PRNG in [0, 1). */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fuzz environment's only template: `echo {word}` prompts `say <word>` and scores answer === word. */
export const ECHO_TEMPLATE = "echo";
const METHODS = ["hello", "tasks.list", "tasks.start", "tasks.grade", "tasks.solve", "tasks.cancel", "bye"];
const WEIRD_STRINGS = [
  "",
  " ",
  "é✓😀",
  "\u0000",
  "\ud800",
  "\u2028\u2029",
  "line\nbreak",
  "\r",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "tasks.start ",
  "TASKS.START",
  "tunnel.open",
  "\ufeffhello",
  "'; DROP TABLE tasks; --",
  "%s%n%x",
];
const HUGE_NUMBERS = [
  "1e400",
  "-1e400",
  "1e-400",
  "123456789012345678901234567890",
  "-0",
  "9007199254740993",
  "0.1e1",
  "1.5",
  "-1",
  "0",
  "4294967296",
];

export interface Script {
  kind: "graceful" | "cut-end" | "cut-destroy" | "slam" | "polite";
  /** The bytes to send, in order. */
  stream: Buffer;
  /** Lines (complete or partial) this script sends: the fuzz frame count. */
  frames: number;
  /** Write in chunks of these sizes (undefined: one write). */
  chunks?: number[];
  /** For cut-destroy: destroy the socket after this many bytes. */
  destroyAfter?: number;
}

export class FrameGen {
  private readonly rand: Rand;
  private readonly limit: number;
  private nextId = 1;

  constructor(rand: Rand, limit: number) {
    this.rand = rand;
    this.limit = limit;
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  private ascii(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += String.fromCharCode(32 + this.int(95));
    return out;
  }

  private weirdString(): string {
    if (this.chance(0.6)) return this.pick(WEIRD_STRINGS);
    return this.chance(0.5)
      ? this.ascii(1 + this.int(40))
      : "x".repeat(1 + this.int(Math.min(30_000, this.limit / 3)));
  }

  /** A JSON value of any type, sometimes deep or huge (as text, so huge numbers stay literal). */
  private valueText(depth = 0): string {
    const r = this.int(10);
    if (depth > 3 || r < 2)
      return this.pick(["null", "true", "false", "0", "-1", '""', "[]", "{}", ...HUGE_NUMBERS]);
    if (r < 4) return JSON.stringify(this.weirdString());
    if (r < 5) return this.deep();
    if (r < 7) return `[${Array.from({ length: this.int(4) }, () => this.valueText(depth + 1)).join(",")}]`;
    const keys = Array.from({ length: this.int(4) }, () => this.weirdString().slice(0, 20));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${this.valueText(depth + 1)}`).join(",")}}`;
  }

  /** Deep nesting of arrays or objects that still fits well under the frame limit. */
  private deep(): string {
    const depth = 100 + this.int(Math.min(20_000, this.limit / 8));
    return this.chance(0.5)
      ? "[".repeat(depth) + "]".repeat(depth)
      : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  }

  /** An id as JSON text: usually a fresh integer, sometimes a string, null, a float, or a huge number. */
  private idText(): string | undefined {
    const r = this.int(20);
    if (r < 2) return undefined; // notification
    if (r < 3) return "null";
    if (r < 5) return JSON.stringify(`id-${this.nextId++}-${this.pick(WEIRD_STRINGS)}`);
    if (r < 6) return this.pick(HUGE_NUMBERS);
    return String(this.nextId++);
  }

  private frame(fields: { id?: string; method?: string; params?: string; extra?: string }): Buffer {
    const parts = ['"jsonrpc":"2.0"'];
    if (fields.id !== undefined) parts.push(`"id":${fields.id}`);
    if (fields.method !== undefined) parts.push(`"method":${fields.method}`);
    if (fields.params !== undefined) parts.push(`"params":${fields.params}`);
    if (fields.extra !== undefined) parts.push(fields.extra);
    // Shuffle member order and sprinkle JSON whitespace (\r included) between tokens.
    for (let i = parts.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
    const ws = () => (this.chance(0.2) ? this.pick([" ", "\t", "\r", "  \r\t"]) : "");
    return Buffer.from(`${ws()}{${parts.map((p) => ws() + p + ws()).join(",")}}${ws()}\n`);
  }

  /** Params for one method that never start a task (tasks.start always fails validation here). */
  private hostileParams(method: string): string {
    switch (method) {
      case "hello":
        return this.pick([
          "{}",
          '{"session_id":null}',
          `{"session_id":${JSON.stringify(`sess-${this.ascii(8)}`)}}`,
          `{"session_id":${this.valueText()}}`,
        ]);
      case "tasks.start": {
        const badArgs = [
          "{}",
          '{"word":5}',
          '{"word":"x","extra":1}',
          '{"__proto__":{"word":"x"}}',
          '{"word":null}',
          `{"word":${this.deep()}}`,
          `{"constructor":{"word":"x"}}`,
        ];
        return this.pick([
          `{"id":${JSON.stringify(ECHO_TEMPLATE)},"args":${this.pick(badArgs)}}`,
          `{"id":${JSON.stringify(ECHO_TEMPLATE)},"args":${this.pick(["[]", '"word"', "1", "true"])}}`,
          `{"id":${this.valueText()}}`,
          `{"id":${JSON.stringify(this.weirdString())},"args":{"word":"x"}}`,
          "{}",
        ]);
      }
      default:
        return this.chance(0.3)
          ? "{}"
          : `{"answer":${this.valueText()},${JSON.stringify(this.weirdString().slice(0, 30))}:1}`;
    }
  }

  /** A frame the server must answer (or ignore, for notifications) without closing the connection. */
  survivable(): Buffer {
    const r = this.int(100);
    if (r < 45) {
      const method = this.pick(METHODS.filter((m) => m !== "bye"));
      return this.frame({
        id: this.idText(),
        method: JSON.stringify(method),
        params: this.hostileParams(method),
      });
    }
    if (r < 55) {
      // Unknown methods, including names that exist on Object.prototype.
      const name = this.chance(0.7) ? this.pick(WEIRD_STRINGS) : this.ascii(1 + this.int(60));
      return this.frame({
        id: this.idText(),
        method: JSON.stringify(name),
        params: this.chance(0.5) ? "{}" : undefined,
      });
    }
    if (r < 65) {
      // params of the wrong type: -32602, connection kept.
      return this.frame({
        id: this.idText(),
        method: JSON.stringify(this.pick(METHODS)),
        params: this.pick(["[]", "1", '"x"', "true", "[{}]", "1e400"]),
      });
    }
    if (r < 75) {
      // Extra members, duplicate keys (the last one wins), null params, missing jsonrpc.
      const method = this.pick(["hello", "tasks.list", "tasks.cancel"]);
      const extra = this.pick([
        `"extra":${this.valueText()}`,
        `"method":${JSON.stringify(method)}`,
        '"__proto__":{"method":"bye"}',
        '"jsonrpc":"1.0"',
        `"result":{}`,
      ]);
      return this.frame({
        id: this.idText(),
        method: JSON.stringify(method),
        params: this.pick(["null", "{}"]),
        extra,
      });
    }
    if (r < 85) {
      return this.frame({ id: this.pick(HUGE_NUMBERS), method: '"tasks.list"' });
    }
    // Deep nesting inside params.
    return this.frame({ id: this.idText(), method: '"tasks.grade"', params: `{"answer":${this.deep()}}` });
  }

  /** A frame after which the server replies with an error (or goodbye) and closes the connection. */
  fatal(first: boolean): Buffer {
    const r = this.int(first ? 110 : 100);
    if (r >= 100) {
      const capability = this.pick(['"sink"', '"nope"', '""', "5", "null"]);
      return this.frame({
        id: this.idText(),
        method: '"tunnel.open"',
        params: `{"capability":${capability}}`,
      });
    }
    if (r < 15) {
      // Truncated valid JSON.
      const whole = this.frame({ id: String(this.nextId++), method: '"hello"', params: "{}" });
      return Buffer.concat([whole.subarray(0, 1 + this.int(whole.length - 2)), Buffer.from("\n")]);
    }
    if (r < 25) return Buffer.from(`${this.ascii(1 + this.int(200))}\n`);
    if (r < 35) {
      const bytes = Buffer.alloc(1 + this.int(300));
      for (let i = 0; i < bytes.length; i++) bytes[i] = this.int(256);
      return Buffer.concat([bytes, Buffer.from("\n")]);
    }
    if (r < 45) return Buffer.from(`${this.pick(["", " ", "\r", "\t \r", "\ufeff{}"])}\n`);
    if (r < 55)
      return Buffer.from(
        `${this.pick(["[]", "1", '"hello"', "null", "true", "1e400", "[{}]", this.deep()])}\n`,
      );
    if (r < 65)
      return this.frame({ id: this.idText(), method: this.pick(["1", "null", "[]", '{"a":1}', "true"]) });
    if (r < 72) return this.frame({ id: this.pick(["{}", "[]", "true", "[1]"]), method: '"hello"' });
    if (r < 80) return this.frame({ id: this.idText(), method: '"bye"' });
    // Oversized: a frame past the limit, as JSON-looking text or plain filler.
    const size = this.limit + 1 + this.int(40_000);
    const body = this.chance(0.5)
      ? `{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pad":"${"p".repeat(size)}"}}`
      : "o".repeat(size);
    return Buffer.from(`${body}\n`);
  }

  /** A well-formed session: weird but valid requests, a real task started and graded, then bye. */
  polite(): Buffer[] {
    const frames: Buffer[] = [];
    const id = () => this.pick([String(this.nextId++), JSON.stringify(`p-${this.nextId++}-é`), "0", "-7"]);
    frames.push(
      this.frame({ id: id(), method: '"hello"', params: this.pick(["{}", '{"session_id":null}', "null"]) }),
    );
    for (let round = 0; round < 1 + this.int(3); round++) {
      const word = this.weirdString().slice(0, 200);
      const params = `{"id":"${ECHO_TEMPLATE}","args":{"word":${JSON.stringify(word)}}}`;
      frames.push(this.frame({ id: id(), method: '"tasks.start"', params }));
      if (this.chance(0.3)) frames.push(this.frame({ id: id(), method: '"tasks.list"' }));
      // Keep every polite frame far below the limit: an oversized one would close the session and park its task.
      const other = this.valueText();
      const answer = this.chance(0.7) || other.length > 1000 ? JSON.stringify(word) : other;
      frames.push(
        this.frame({ id: id(), method: '"tasks.grade"', params: `{"answer":${answer},"extra":[1,2]}` }),
      );
    }
    frames.push(this.frame({ id: id(), method: '"bye"', params: "{}" }));
    return frames;
  }

  /** One connection's script. */
  script(): Script {
    const r = this.int(100);
    if (r < 3) return { kind: "slam", stream: Buffer.alloc(0), frames: 0 };
    if (r < 15) {
      const frames = this.polite();
      return this.chunked({ kind: "polite", stream: Buffer.concat(frames), frames: frames.length });
    }
    const count = r < 35 ? 1 : r < 80 ? 1 + this.int(40) : 40 + this.int(160);
    const frames: Buffer[] = [];
    for (let i = 0; i < count; i++)
      frames.push(i === 0 && count === 1 && this.chance(0.5) ? this.fatal(true) : this.survivable());
    if (count > 1 && this.chance(0.35)) {
      frames.push(this.fatal(false));
      // Bytes after a fatal frame must be discarded, never answered.
      if (this.chance(0.5)) frames.push(this.survivable());
    }
    let stream = Buffer.concat(frames);
    const cut = this.chance(0.25);
    if (cut) {
      const tail = this.survivable();
      stream = Buffer.concat([stream, tail.subarray(0, this.int(tail.length - 1) + 1)]);
    }
    const script: Script = {
      kind: cut ? (this.chance(0.5) ? "cut-end" : "cut-destroy") : "graceful",
      stream,
      frames: frames.length + (cut ? 1 : 0),
    };
    if (script.kind === "cut-destroy") script.destroyAfter = this.int(stream.length + 1);
    return this.chunked(script);
  }

  private chunked(script: Script): Script {
    if (this.chance(0.6) || script.stream.length === 0) return script;
    const chunks: number[] = [];
    const small = this.chance(0.3);
    for (let left = script.stream.length; left > 0; ) {
      const size = Math.min(left, 1 + this.int(small ? 8 : 4096));
      chunks.push(size);
      left -= size;
    }
    // Byte-at-a-time writes are slow over TCP: keep them to short streams.
    if (small && chunks.length > 2000) return script;
    script.chunks = chunks;
    return script;
  }
}

/** What the server must send back for one frame. */
export interface Expected {
  /** The reply id after a JSON round trip (Infinity → null), or null. */
  id: unknown;
  /** An error reply (with this code when set), or a result reply. */
  error: boolean;
  code?: number;
  /** Checks on a result; returns a problem description or undefined. */
  check?: (result: Record<string, unknown>) => string | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const roundTrip = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));
const usableId = (frame: Record<string, unknown>): unknown =>
  typeof frame.id === "number" || typeof frame.id === "string" ? roundTrip(frame.id) : null;

/** Deepest array/object nesting of a JSON text, outside strings. */
function depthOf(line: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Predict the replies for a byte stream sent on one fresh connection, from the wire contract alone:
 * lines end at \n; a line over the limit or one that is not a JSON object with a string method is an
 * error and closes the connection; a non-object params is -32602 and keeps it; requests without an id
 * get no reply (only frames that fail before they are a request do). A final segment without a newline
 * is never answered unless it is already over the limit. Stops at the first frame that closes the connection.
 */
export function predict(stream: Buffer, limit: number): { replies: Expected[]; closes: boolean } {
  const replies: Expected[] = [];
  let first = true;
  let task: string | undefined;
  let start = 0;
  for (;;) {
    const at = stream.indexOf(0x0a, start);
    const line = stream.subarray(start, at < 0 ? stream.length : at);
    start = at + 1;
    if (line.length > limit) {
      replies.push({ id: null, error: true, code: -32600 });
      return { replies, closes: true };
    }
    if (at < 0) return { replies, closes: false }; // a partial line is never answered
    if (depthOf(line) > 10_000) {
      replies.push({ id: null, error: true, code: -32600 }); // the project's nesting bound
      return { replies, closes: true };
    }
    let frame: unknown;
    try {
      frame = JSON.parse(line.toString("utf8"));
    } catch {
      replies.push({ id: null, error: true, code: -32700 });
      return { replies, closes: true };
    }
    if (!isPlainObject(frame)) {
      replies.push({ id: null, error: true, code: -32600 });
      return { replies, closes: true };
    }
    const { method, params, id } = frame;
    if (typeof method !== "string") {
      replies.push({ id: usableId(frame), error: true, code: -32600 });
      return { replies, closes: true };
    }
    if (params !== undefined && params !== null && !isPlainObject(params)) {
      if (id !== undefined) replies.push({ id: usableId(frame), error: true, code: -32602 });
      continue;
    }
    if (id !== undefined && id !== null && typeof id !== "number" && typeof id !== "string") {
      replies.push({ id: null, error: true, code: -32600 });
      return { replies, closes: true };
    }
    const p = (params ?? {}) as Record<string, unknown>;
    const rid = roundTrip(id);
    const answer = (expected: Omit<Expected, "id">) => {
      if (id !== undefined) replies.push({ id: rid, ...expected });
    };
    if (first && method === "tunnel.open") {
      replies.push({ id: rid ?? null, error: true });
      return { replies, closes: true };
    }
    first = false;
    switch (method) {
      case "hello":
        if (p.session_id === undefined || p.session_id === null) {
          answer({
            error: false,
            check: (r) => (typeof r.session_id === "string" ? undefined : "hello without session_id"),
          });
        } else answer({ error: true, code: typeof p.session_id === "string" ? -32600 : -32602 });
        break;
      case "tasks.list":
        answer({
          error: false,
          check: (r) => (Array.isArray(r.tasks) && r.tasks.length === 1 ? undefined : "bad task list"),
        });
        break;
      case "tasks.start": {
        const args = p.args ?? {};
        if (typeof p.id !== "string") answer({ error: true, code: -32602 });
        else if (!isPlainObject(args)) answer({ error: true, code: -32602 });
        else {
          task = undefined; // a start cancels the session's task first, even when the new one fails
          const keys = Object.keys(args);
          if (
            p.id === ECHO_TEMPLATE &&
            keys.length === 1 &&
            keys[0] === "word" &&
            typeof args.word === "string"
          ) {
            const word = args.word;
            task = word;
            answer({ error: false, check: (r) => (r.prompt === `say ${word}` ? undefined : "wrong prompt") });
          } else answer({ error: true });
        }
        break;
      }
      case "tasks.grade":
        if (task === undefined) answer({ error: true, code: -32600 });
        else {
          const score = p.answer === task ? 1 : 0;
          task = undefined;
          answer({
            error: false,
            check: (r) => (r.score === score ? undefined : `score ${String(r.score)}, want ${score}`),
          });
        }
        break;
      case "tasks.solve":
        answer({ error: true });
        break;
      case "tasks.cancel":
        task = undefined;
        answer({ error: false, check: (r) => (r.cancelled === true ? undefined : "cancel result") });
        break;
      case "bye":
        answer({ error: false, check: (r) => (r.goodbye === true ? undefined : "bye result") });
        return { replies, closes: true };
      default:
        answer({ error: true, code: -32601 });
    }
  }
}

/** Describe how one reply line fails its expectation, or undefined when it matches. */
export function mismatch(line: string, expected: Expected | undefined): string | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(line);
  } catch {
    return "reply is not JSON";
  }
  if (!isPlainObject(reply) || reply.jsonrpc !== "2.0" || !("id" in reply))
    return "reply is not a JSON-RPC 2.0 response";
  const hasError = reply.error !== undefined;
  if (hasError === (reply.result !== undefined)) return "reply must have exactly one of result and error";
  if (hasError) {
    const error = reply.error;
    if (!isPlainObject(error) || !Number.isInteger(error.code) || typeof error.message !== "string") {
      return "error must be {code: integer, message: string}";
    }
  } else if (!isPlainObject(reply.result)) return "result must be an object";
  if (!expected) return "unexpected extra reply";
  if (JSON.stringify(reply.id) !== JSON.stringify(expected.id)) {
    return `id ${JSON.stringify(reply.id)}, want ${JSON.stringify(expected.id)}`;
  }
  if (expected.error !== hasError) return expected.error ? "want an error reply" : "want a result";
  if (hasError && expected.code !== undefined && (reply.error as { code: number }).code !== expected.code) {
    return `code ${(reply.error as { code: number }).code}, want ${expected.code}`;
  }
  if (!hasError && expected.check) return expected.check(reply.result as Record<string, unknown>);
  return undefined;
}
