// `hud init -t blank`: one template (count a letter in a sentence) with a reference solution, two task rows.
import { dockerfile, dockerignore, packageJson, readme, tsconfig } from "./common-files.ts";
import type { ProjectFacts, ProjectTemplate, ScaffoldFile } from "./project-template.ts";

const envTs = (name: string) => `// The ${name} environment: task templates that prompt an agent
// and grade its answer. Serve it with \`npx hud serve\`; run its tasks with
// \`npx hud eval tasks.ts <agent> --all\`.
import { Environment } from "hud";
import { z } from "zod";

export const env = new Environment({ name: "${name}", version: "0.1.0" });

/** How often \`letter\` occurs in \`sentence\`, ignoring case. */
const countOf = (sentence: string, letter: string) =>
  [...sentence.toLowerCase()].filter((c) => c === letter.toLowerCase()).length;

/**
 * A template is an async generator with two yields: the prompt, then — once the agent's answer comes back —
 * the grade (a number in [0, 1], or { score, info }). \`args\` validates a task's arguments (any Standard Schema
 * — zod, valibot, arktype — or a plain JSON Schema). \`solution\` is what a perfect agent answers: the \`oracle\`
 * agent submits it, which checks that every task can be solved.
 */
export const count = env.template(
  {
    id: "count",
    description: "Count how many times a letter appears in a sentence",
    args: z.object({ sentence: z.string().min(1), letter: z.string().length(1) }),
    solution: ({ sentence, letter }) => String(countOf(sentence, letter)),
  },
  async function* ({ sentence, letter }) {
    const answer =
      yield \`How many times does the letter '\${letter}' appear in: '\${sentence}'? Answer with the number only.\`;
    const expected = countOf(sentence, letter);
    yield { score: String(answer).trim() === String(expected) ? 1 : 0, info: { expected } };
  },
);
`;

const TASKS_TS = `// The task rows: calling a template with its args makes one (nothing runs until a runner starts it).
//   npx hud eval tasks.ts oracle --all     # every task scores 1
//   npx hud eval tasks.ts nop --all        # every task scores 0
import { count } from "./env.ts";

export const tasks = [
  count({ sentence: "The quick brown fox jumps over the lazy dog", letter: "o" }),
  count({ sentence: "Strawberry fields forever", letter: "r" }),
];
`;

/** zod types the template's args (hud's own dependency, so it is linked like hud: nothing to download). */
const IMPORTS = ["zod"];

export const blank: ProjectTemplate = {
  summary: "one template (count a letter) with a reference solution, two tasks",
  imports: IMPORTS,
  files(facts: ProjectFacts): ScaffoldFile[] {
    return [
      { path: "env.ts", text: envTs(facts.name) },
      { path: "tasks.ts", text: TASKS_TS },
      packageJson(facts, "A hud environment: count letters", IMPORTS),
      tsconfig(),
      dockerfile(facts, IMPORTS),
      dockerignore(),
      readme(facts, {
        about:
          "A [hud](https://www.npmjs.com/package/hud) environment: an agent is asked how many times a letter " +
          "appears in a sentence, and graded on its answer. Add templates to `env.ts` and rows to `tasks.ts`.",
        files: ["- `env.ts` — the environment and its `count` template (prompt, grade, reference solution)."],
      }),
    ];
  },
};
