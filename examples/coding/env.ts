// A coding environment: a small JavaScript project with a failing test suite, fixed by the agent in a
// sandboxed workspace and graded by running the tests there.
//
//   hud eval examples/coding/tasks.ts oracle --all     # the reference fixes: every task scores 1
//   hud eval examples/coding/tasks.ts nop --all        # changes nothing: every task scores 0
//   hud trace <trace-id>                                # the workspace diff the solution made
//
// Each task copies project/ (a booking-utils library with two bugs, tested with `node --test`) into the
// workspace with one bug left in, and asks the agent to make the tests pass without touching them. Grading runs
// `node --test` inside the sandbox, so the host needs bubblewrap and a `node` under /usr (the sandbox sees only
// /usr and /etc of the host). The workspace is one directory per environment process, so a process runs one task
// at a time: the default `hud eval` runtime starts a `hud serve` child per rollout; --shared needs --max-concurrent 1.
import { randomUUID } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Environment } from "hud";

export const env = new Environment({ name: "coding", version: "0.1.0" });

/** The pristine project, as the repository holds it (both bugs in). */
export const PROJECT = resolve(import.meta.dirname, "project");

/** One bug: where it is, the buggy code, the fixed code, and what a user of the library would notice. */
interface Bug {
  file: string;
  bug: string;
  fix: string;
  symptom: string;
  summary: string;
}

export const BUGS = {
  "fix-range": {
    file: "src/dates.js",
    bug: "time < last;",
    fix: "time <= last;",
    symptom:
      "Guests report that a booking's list of days is missing its last day, and stays show one night too few.",
    summary: "dateRange stopped one day early: the loop now includes the end date (`<` became `<=`).",
  },
  "fix-price": {
    file: "src/price.js",
    bug: "Math.floor(amount * 100)",
    fix: "Math.round(amount * 100)",
    symptom:
      "Customers report prices a cent too low at checkout: an item at $4.35 shows as $4.34, and 19.999 as $19.99 instead of $20.00.",
    summary:
      "formatPrice truncated to the cent: it now rounds to the nearest cent (Math.floor became Math.round).",
  },
} satisfies Record<string, Bug>;

export type BugId = keyof typeof BUGS;

/**
 * The workspace root: a fresh directory per environment process, made when the environment starts and removed
 * when it stops. These hooks come before `env.workspace(...)`, so the directory exists before the workspace
 * starts and is removed after it stops (shutdown hooks run in reverse order).
 */
const root = join(tmpdir(), `hud-coding-${process.pid}-${randomUUID()}`);
env.initialize(() => mkdir(root, { mode: 0o700 }));
env.shutdown(() => rm(root, { recursive: true, force: true }));

const ws = env.workspace(root);

/** `text` with the bug replaced by its fix; refuses when the buggy code is not there. */
function applyFix(text: string, bug: Bug): string {
  if (!text.includes(bug.bug)) throw new Error(`${bug.file} does not contain '${bug.bug}'`);
  return text.replace(bug.bug, bug.fix);
}

/** Write `relPath` of the workspace from the host, then give it to the sandbox user so the agent can edit it. */
async function writeWorkspaceFile(relPath: string, text: string): Promise<void> {
  await writeFile(join(ws.root, relPath), text);
  await ws.claim(relPath);
}

/** Empty the workspace and copy the project in, with every bug fixed but `keep`. */
async function setUp(keep: BugId): Promise<void> {
  for (const entry of await readdir(ws.root))
    await rm(join(ws.root, entry), { recursive: true, force: true });
  await cp(PROJECT, ws.root, { recursive: true });
  for (const [id, bug] of Object.entries(BUGS)) {
    if (id === keep) continue;
    await writeFile(join(ws.root, bug.file), applyFix(await readFile(join(PROJECT, bug.file), "utf8"), bug));
  }
  await ws.claim();
}

/** Test files the agent changed, deleted or replaced, read inside the sandbox (a symlink cannot reach the host). */
async function editedTests(): Promise<string[]> {
  const edited: string[] = [];
  for (const name of (await readdir(join(PROJECT, "test"))).sort()) {
    const path = `test/${name}`;
    const pristine = await readFile(join(PROJECT, path), "utf8");
    const seen = await ws.exec(`cat -- '${path}'`, { timeout: 30 });
    if (seen.exitCode !== 0 || seen.stdout !== pristine) edited.push(path);
  }
  return edited;
}

const tail = (text: string, chars = 2000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

/** Tasks that started and have not finished in this process (the workspace holds one at a time). */
let running: string | undefined;

function bugTemplate(id: BugId) {
  const bug: Bug = BUGS[id];
  return env.template(
    {
      id,
      description: `Fix a bug in ${bug.file} so that the project's tests pass`,
      // The reference solution: write the fixed source file into the live workspace, then explain the fix.
      solution: async () => {
        await writeWorkspaceFile(bug.file, applyFix(await readFile(join(PROJECT, bug.file), "utf8"), bug));
        return bug.summary;
      },
    },
    async function* () {
      if (running !== undefined) {
        throw new Error(
          `this environment runs one task at a time ('${running}' is running): with --shared, add --max-concurrent 1`,
        );
      }
      running = id;
      try {
        await setUp(id);
        yield [
          `The JavaScript project in ${ws.cwd} (booking-utils, no dependencies) has failing tests: run \`node --test\` there.`,
          bug.symptom,
          "Fix the code so that every test passes. Do not edit the tests. Answer with a one-line summary of the fix.",
        ].join("\n\n");
        const edited = await editedTests();
        if (edited.length > 0) {
          yield { score: 0, content: `the tests were edited: ${edited.join(", ")}`, info: { edited } };
          return;
        }
        // TAP (the default reporter of Node 20 off a terminal, named so that newer Nodes print it too).
        const result = await ws.exec("node --test --test-reporter=tap", { timeout: 300 });
        const count = (label: string) =>
          Number(new RegExp(`^# ${label} (\\d+)$`, "m").exec(result.stdout)?.[1] ?? 0);
        const failing = [...result.stdout.matchAll(/^not ok \d+ - (.*)$/gm)].map((match) => match[1]!);
        const passed = result.exitCode === 0;
        const why = result.timedOut ? "timed out" : `exit ${result.exitCode}`;
        yield {
          score: passed ? 1 : 0,
          content: passed
            ? `node --test: all ${count("tests")} tests pass`
            : `node --test fails (${why}): ${failing.length > 0 ? failing.join("; ") : "see the output"}`,
          info: {
            exit_code: result.exitCode,
            tests: count("tests"),
            failed: count("fail"),
            ...(passed ? {} : { output: tail(result.stdout + result.stderr) }),
          },
        };
      } finally {
        running = undefined;
      }
    },
  );
}

/** The days of a stay miss the last one (an off-by-one in a date range). */
export const fixRange = bugTemplate("fix-range");
/** Prices are truncated to the cent instead of rounded. */
export const fixPrice = bugTemplate("fix-price");
