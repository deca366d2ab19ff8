// `hud init -t coding`: fix a bug in a small JavaScript project inside the sandboxed workspace, graded by
// running its tests there (BashGrader, with the tests restored first).
import { dockerfile, dockerignore, packageJson, readme, tsconfig } from "./common-files.ts";
import type { ProjectFacts, ProjectTemplate, ScaffoldFile } from "./project-template.ts";

const envTs = (name: string) => `// The ${name} environment: the agent fixes a bug in a small
// JavaScript project (project/) inside a sandboxed workspace, and is graded by running its tests there.
//
// Each environment process copies project/ into a fresh workspace directory; the agent works in it over SSH
// (every command under bubblewrap, without network), and grading runs \`node --test\` in the same sandbox after
// putting test/ back as it was, so editing the tests gains nothing. One task at a time per process: the
// default \`hud eval\` runtime starts a \`hud serve\` child per rollout (with --shared, add --max-concurrent 1).
import { randomUUID } from "node:crypto";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Environment } from "hud";
import { BashGrader, combine } from "hud/graders";

export const env = new Environment({ name: "${name}", version: "0.1.0" });

/** The project as shipped beside this file (with its bug). */
const PROJECT = join(import.meta.dirname, "project");

// The workspace root. The copy happens in an initialize hook declared before env.workspace(...), so the files
// are there when the workspace starts: its start-time snapshot is what \`pristine\` and \`restore\` put back.
// Shutdown hooks run in reverse order, so the directory is removed after the workspace stops.
const root = join(tmpdir(), \`${name}-\${process.pid}-\${randomUUID()}\`);
env.initialize(() => cp(PROJECT, root, { recursive: true }));
env.shutdown(() => rm(root, { recursive: true, force: true }));

const ws = env.workspace(root);

/** The bug in src/stats.js, and its fix. */
const BUG = "[...values].sort()";
const FIX = "[...values].sort((a, b) => a - b)";

let running = false;

export const fixMedian = env.template(
  {
    id: "fix-median",
    description: "Fix the bug in src/stats.js so that the project's tests pass",
    // The reference solution: fix the file in the live workspace, then say what changed.
    solution: async () => {
      const file = join(ws.root, "src/stats.js");
      await writeFile(file, (await readFile(file, "utf8")).replace(BUG, FIX));
      await ws.claim("src/stats.js"); // files written from the host go back to the sandbox user
      return "median sorted the numbers as strings; it now sorts them numerically";
    },
  },
  async function* () {
    if (running) {
      throw new Error("this environment runs one task at a time: with --shared, add --max-concurrent 1");
    }
    running = true;
    try {
      await ws.restore(["src/", "test/"]); // start from the project as shipped, whatever ran before
      yield [
        \`The JavaScript project in \${ws.cwd} has a failing test: run \\\`node --test\\\` there.\`,
        "Users report that the median of [5, 10, 100] comes out as 100.",
        "Fix the code so that every test passes, without editing the tests. Answer with a one-line summary of the fix.",
      ].join("\\n\\n");
      yield await combine(
        BashGrader.grade({ weight: 1, command: "node --test", pristine: ["test/"], timeoutSeconds: 120 }),
      );
    } finally {
      running = false;
    }
  },
);
`;

const TASKS_TS = `// The task rows. \`npx hud eval tasks.ts oracle --all\` scores 1 (the reference fix), \`nop\` scores 0.
import { fixMedian } from "./env.ts";

export const tasks = [fixMedian()];
`;

const STATS_JS = `// Summary statistics for a list of numbers.

/** The arithmetic mean (NaN for an empty list). */
export function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The middle value once sorted; the mean of the two middle values for an even count (NaN when empty). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort();
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
`;

const STATS_TEST_JS = `// Tests for the statistics helpers: \`node --test\`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mean, median } from "../src/stats.js";

test("the mean of a list", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
});

test("the median of an odd count is the middle value", () => {
  assert.equal(median([3, 1, 2]), 2);
});

test("the median of an even count is the mean of the middle two", () => {
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test("numbers sort by value, not as text", () => {
  assert.equal(median([5, 10, 100]), 10);
  assert.equal(median([9, 80, 700, 6000]), 390);
});

test("an empty list has no median", () => {
  assert.ok(Number.isNaN(median([])));
});
`;

const PROJECT_PACKAGE_JSON = `{
  "name": "stats",
  "version": "1.0.0",
  "private": true,
  "type": "module",
  "scripts": {
    "test": "node --test"
  }
}
`;

export const coding: ProjectTemplate = {
  summary: "fix a bug in a JavaScript project in the sandboxed workspace, graded by its tests",
  imports: [],
  files(facts: ProjectFacts): ScaffoldFile[] {
    return [
      { path: "env.ts", text: envTs(facts.name) },
      { path: "tasks.ts", text: TASKS_TS },
      { path: "project/package.json", text: PROJECT_PACKAGE_JSON },
      { path: "project/src/stats.js", text: STATS_JS },
      { path: "project/test/stats.test.js", text: STATS_TEST_JS },
      packageJson(facts, "A hud environment: fix a bug in a sandboxed workspace", []),
      tsconfig(),
      dockerfile(
        facts,
        [],
        [
          "# The workspace runs every command under bubblewrap and serves sftp with OpenSSH's sftp-server.",
          "RUN command -v bwrap >/dev/null || { apt-get update && \\",
          "      apt-get install -y --no-install-recommends bubblewrap openssh-sftp-server && \\",
          "      rm -rf /var/lib/apt/lists/*; }",
        ],
      ),
      dockerignore(),
      readme(facts, {
        about:
          "A [hud](https://www.npmjs.com/package/hud) coding environment: the agent gets a shell in a sandboxed " +
          "workspace holding `project/` (a small JavaScript library whose `median` sorts numbers as text), fixes " +
          "the bug, and is graded by `node --test` run in the same sandbox — with `test/` restored first, so " +
          "editing the tests does not help.",
        files: [
          "- `env.ts` — the environment: the workspace, and the `fix-median` template (prompt, grade, reference fix).",
          "- `project/` — the code the agent works on, copied into a fresh workspace for each environment process.",
        ],
        notes: [
          "**Requirements**: Linux with [bubblewrap](https://github.com/containers/bubblewrap) " +
            "(`apt-get install bubblewrap`) and util-linux; the sandbox sees only the host's `/usr` and `/etc`, so " +
            "`node --test` needs a `node` under `/usr`. In a container, the engine must let bubblewrap create " +
            "namespaces (Docker's default seccomp and AppArmor profiles do not: e.g. " +
            "`--security-opt seccomp=unconfined --security-opt apparmor=unconfined`).",
        ],
      }),
    ];
  },
};
