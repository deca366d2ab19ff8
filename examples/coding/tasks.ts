// The coding taskset: one row per bug. Run it with `hud eval examples/coding/tasks.ts oracle --all`.
import { fixPrice, fixRange } from "./env.ts";

export const tasks = [fixRange(), fixPrice()];
