// The quickstart environment: count letters in a word. Serve it with `hud serve examples/quickstart`.
import { Environment } from "hud";
import { z } from "zod";

export const env = new Environment({ name: "letters", version: "0.1.0" });

const countOf = (word: string, letter: string) => [...word].filter((c) => c === letter).length;

/** How many times does a letter appear in a word? The answer must be the number. */
export const count = env.template(
  {
    id: "count",
    description: "Count how many times a letter appears in a word",
    args: z.object({ word: z.string().min(1), letter: z.string().length(1) }),
    solution: ({ word, letter }) => String(countOf(word, letter)),
  },
  async function* ({ word, letter }) {
    const answer =
      yield `How many times does the letter '${letter}' appear in '${word}'? Answer with the number only.`;
    yield String(answer).trim() === String(countOf(word, letter)) ? 1 : 0;
  },
);

/** Spell a word backwards; partial credit for each letter in the right place. */
export const reverse = env.template(
  {
    id: "reverse",
    description: "Write a word backwards",
    args: z.object({ word: z.string().min(1) }),
    solution: ({ word }) => [...word].reverse().join(""),
  },
  async function* ({ word }) {
    const answer = String(yield `Write '${word}' backwards. Answer with the reversed word only.`).trim();
    const expected = [...word].reverse();
    const right = expected.filter((c, i) => answer[i] === c).length;
    yield {
      score: answer.length === expected.length ? right / expected.length : 0,
      info: { expected: expected.join("") },
    };
  },
);
