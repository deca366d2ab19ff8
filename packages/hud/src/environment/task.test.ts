// Task rows: Python-identical slugs, field validation with errors naming the field, compact JSON.
import { describe, expect, it } from "vitest";
import { defaultSlug, Task, type TaskInit } from "./task.ts";

// Hashes from CPython: sha1(json.dumps(args, sort_keys=True, default=str))[:8].
const SLUGS: [Record<string, unknown>, string][] = [
  [{ expected: 3 }, "5579a3e5"],
  [{ a: 1, b: 2 }, "1744f53e"],
  [{ b: 2, a: 1 }, "1744f53e"],
  [{ n: 1 }, "bae34777"],
  [{ s: "é" }, "aa3b8b6a"],
  [{ word: "strawberry", letter: "r" }, "759529a8"],
  [{ nested: { z: [1, 2, { y: null, x: true }], a: false } }, "32b03292"],
  [{ emoji: "😀", cjk: "漢字" }, "1e66f73d"],
  [{ x: 0.5 }, "389cc7ab"],
  [{ x: 1e-5 }, "ebd9cc42"],
  [{ x: 1.5e-7 }, "bbac9f3f"],
  [{ x: 0.0001 }, "fa794f1b"],
  [{ x: 123456.789 }, "c58b1e9a"],
  [{ x: 0.1 + 0.2 }, "ba082723"],
  [{ x: 1e21 }, "6dba3d74"],
  [{ x: -2.5 }, "d0784417"],
  [{ ctrl: 'a\nb\t"c"\\ \u0001 \u007f' }, "35978d4b"],
  [{ é: 1, e: 2, "😀": 3, "\uffff": 4 }, "c877dddd"],
  [{ list: [], obj: {}, big: 9007199254740991 }, "12befa3f"],
];

function row(extra: Partial<TaskInit> = {}): TaskInit {
  return { env: "letters", id: "count", args: { word: "kiwi" }, ...extra };
}

function errorOf(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

describe("Task slug", () => {
  it.each(SLUGS)("args %j hash like Python", (args, hash) => {
    expect(new Task({ env: "e", id: "verify", args }).slug).toBe(`verify-${hash}`);
    expect(defaultSlug("verify", args)).toBe(`verify-${hash}`);
  });

  it("is the id when there are no args", () => {
    expect(new Task({ env: "e", id: "count" }).slug).toBe("count");
    expect(new Task({ env: "e", id: "count", args: {} }).slug).toBe("count");
  });

  it("keeps an explicit slug", () => {
    expect(new Task(row({ slug: "mine" })).slug).toBe("mine");
  });

  it("survives a JSON round trip even when args held undefined values", () => {
    const task = new Task(row({ args: { word: "kiwi", skip: undefined } }));
    const again = Task.fromJSON(JSON.parse(JSON.stringify({ ...task.toJSON(), slug: undefined })));
    expect(again.slug).toBe(task.slug);
    expect(task.slug).toBe(new Task(row()).slug);
  });
});

describe("Task validation", () => {
  it.each([
    ["missing env", { id: "count" }, /'env'/],
    ["missing id", { env: "letters" }, /'id'/],
    ["empty env", { env: "", id: "count" }, /'env'/],
    ["object env", { env: { name: "letters" }, id: "count" }, /'env'/],
    ["string args", { env: "letters", id: "count", args: "word=kiwi" }, /'args'/],
    ["array args", { env: "letters", id: "count", args: [1] }, /'args'/],
    ["null slug", { env: "letters", id: "count", slug: null }, /'slug'/],
    ["empty slug", { env: "letters", id: "count", slug: "" }, /'slug'/],
    ["object columns", { env: "letters", id: "count", columns: "x" }, /'columns'/],
    ["validation not a list of objects", { env: "letters", id: "count", validation: [1] }, /'validation'/],
  ])("rejects %s, naming the field", (_label, init, field) => {
    expect(errorOf(() => Task.fromJSON(init))).toMatch(field);
  });

  it("rejects a row that is not an object", () => {
    expect(errorOf(() => Task.fromJSON("count"))).toMatch(/must be an object/);
    expect(errorOf(() => Task.fromJSON(null))).toMatch(/must be an object/);
  });

  it("rejects args that are not JSON data", () => {
    expect(errorOf(() => new Task(row({ args: { n: 10n } })))).toMatch(/'args' must be JSON data/);
  });

  it.each([
    ["image and compose", { image: "a:1", compose: "compose.yaml" }, /runtime_config.*mutually exclusive/],
    ["negative cpu", { resources: { cpu: -1 } }, /'runtime_config\.resources\.cpu'/],
    ["zero memory", { resources: { memory_mb: 0 } }, /'runtime_config\.resources\.memory_mb'/],
    ["unknown key", { imag: "a:1" }, /'runtime_config'.*imag/],
    [
      "bad tpu topology",
      { resources: { tpu: { type: "v5", topology: "2by2" } } },
      /runtime_config\.resources\.tpu\.topology/,
    ],
    ["gpu count 0", { resources: { gpu: { count: 0 } } }, /runtime_config\.resources\.gpu\.count/],
  ])("rejects runtime_config with %s", (_label, config, message) => {
    expect(
      errorOf(() => Task.fromJSON(row({ runtime_config: config as TaskInit["runtime_config"] }))),
    ).toMatch(message);
  });

  it("accepts a valid runtime_config and dumps only what was set", () => {
    const config = {
      image: "letters:1",
      resources: { cpu: 2, gpu: { type: "L4" } },
      limits: { run_timeout_s: 60 },
    };
    expect(new Task(row({ runtime_config: config })).toJSON().runtime_config).toEqual(config);
  });

  it("rejects a nested verifier", () => {
    const verifier = { env: "judge", id: "verify", verifier: { env: "judge", id: "deeper" } };
    expect(errorOf(() => Task.fromJSON(row({ verifier })))).toMatch(
      /nested verifier tasks are not supported/,
    );
  });

  it("names the verifier when its row is bad", () => {
    expect(errorOf(() => Task.fromJSON(row({ verifier: { env: "judge" } as TaskInit })))).toMatch(
      /'verifier'.*'id'/,
    );
  });
});

describe("Task JSON", () => {
  it("dumps compactly: always env, id, args, slug and nothing unset", () => {
    const json = new Task(row()).toJSON();
    expect(Object.keys(json)).toEqual(["env", "id", "args", "slug"]);
    expect(json).toEqual({
      env: "letters",
      id: "count",
      args: { word: "kiwi" },
      slug: defaultSlug("count", { word: "kiwi" }),
    });
  });

  it("drops null optional fields", () => {
    const json = new Task(
      row({ columns: null, agent_config: null, validation: null, verifier: null }),
    ).toJSON();
    expect(Object.keys(json)).toEqual(["env", "id", "args", "slug"]);
  });

  it("round-trips a full row unchanged", () => {
    const full = {
      env: "letters",
      id: "count",
      args: { word: "kiwi", opts: { deep: [1, "two"] } },
      slug: "kiwi-count",
      validation: [{ answer: "0" }],
      agent_config: { timeout_seconds: 30 },
      columns: { difficulty: "easy" },
      runtime_config: { image: "letters:1" },
      verifier: { env: "judge", id: "verify", args: { strict: true }, slug: "verify-kiwi" },
    };
    const task = Task.fromJSON(full);
    expect(task.toJSON()).toEqual(full);
    expect(Task.fromJSON(JSON.parse(JSON.stringify(task))).toJSON()).toEqual(full);
  });

  it("ignores unknown keys", () => {
    expect(Task.fromJSON({ ...row(), colums: { x: 1 } }).toJSON()).not.toHaveProperty("colums");
  });

  it("cannot be changed through the object it was built from or the JSON it returns", () => {
    const args = { word: "kiwi", opts: { n: 1 } };
    const task = new Task(row({ args }));
    args.opts.n = 2;
    task.toJSON().args.word = "changed";
    expect(task.args).toEqual({ word: "kiwi", opts: { n: 1 } });
    expect(() => {
      (task.args.opts as { n: number }).n = 3;
    }).toThrow(TypeError);
  });
});

describe("Task.with", () => {
  it("recomputes a default slug when args or id change", () => {
    const task = new Task(row());
    expect(task.with({ args: { word: "fig" } }).slug).toBe(defaultSlug("count", { word: "fig" }));
    expect(task.with({ id: "reverse" }).slug).toBe(defaultSlug("reverse", { word: "kiwi" }));
  });

  it("keeps an explicit slug", () => {
    expect(new Task(row({ slug: "mine" })).with({ args: { word: "fig" } }).slug).toBe("mine");
  });

  it("keeps the live environment link", () => {
    const link = { name: "letters" };
    expect(new Task(row(), link).with({ args: {} }).environment).toBe(link);
  });
});

describe("Task.is", () => {
  it("recognizes tasks made by another copy of the module", async () => {
    const other = (await import("./task.ts?copy" as string)) as typeof import("./task.ts");
    const foreign = new other.Task(row());
    expect(foreign).not.toBeInstanceOf(Task);
    expect(Task.is(foreign)).toBe(true);
    expect(Task.is(row())).toBe(false);
  });
});
