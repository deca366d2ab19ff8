// The quickstart taskset: rows made by calling the templates (nothing runs until a runner starts them).
import { count, reverse } from "./env.ts";

export const tasks = [
  count({ word: "strawberry", letter: "r" }),
  count({ word: "banana", letter: "a" }),
  count({ word: "mississippi", letter: "s" }),
  reverse({ word: "hello" }),
  reverse({ word: "typescript" }),
];
