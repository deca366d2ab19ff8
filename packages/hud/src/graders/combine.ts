// Composing subscores: a weighted reward with penalties (combine) and best/worst-of groups (combineAny/All).
import { EvaluationResult } from "./evaluation-result.ts";
import { SubScore } from "./subscore.ts";

export type SubScoreInput = SubScore | Promise<SubScore>;

/** Rename repeated names to `name-1`, `name-2`, … skipping names already taken; the first keeps its name. */
function uniquelyNamed(subs: readonly SubScore[]): SubScore[] {
  const taken = new Set(subs.map((s) => s.name));
  const seen = new Set<string>();
  return subs.map((sub) => {
    if (!seen.has(sub.name)) {
      seen.add(sub.name);
      return sub;
    }
    let k = 1;
    while (taken.has(`${sub.name}-${k}`)) k += 1;
    const name = `${sub.name}-${k}`;
    taken.add(name);
    seen.add(name);
    return sub.with({ name });
  });
}

async function gather(items: readonly SubScoreInput[], what: string): Promise<SubScore[]> {
  if (items.length === 0) throw new Error(`${what} needs at least one subscore`);
  const subs = await Promise.all(items);
  for (const sub of subs) {
    if (!(sub instanceof SubScore)) throw new TypeError(`${what} takes SubScores (got ${typeof sub})`);
  }
  return subs;
}

/**
 * Weighted reward of subscores (awaited in parallel). Positive weights are normalized by their sum; negative
 * weights are penalties applied as given. The reward is clamped to [0, 1]; when clamping changed it, the raw sum
 * is kept in `info.unclamped_reward`.
 */
export async function combine(...items: SubScoreInput[]): Promise<EvaluationResult> {
  const subs = uniquelyNamed(await gather(items, "combine()"));
  const positive = subs.reduce((sum, s) => (s.weight > 0 ? sum + s.weight : sum), 0);
  if (!(positive > 0)) throw new Error("combine() needs at least one subscore with a positive weight");
  const raw = subs.reduce((sum, s) => sum + s.value * (s.weight > 0 ? s.weight / positive : s.weight), 0);
  const reward = Math.min(1, Math.max(0, raw));
  const info = reward === raw ? {} : { unclamped_reward: raw };
  return new EvaluationResult({ reward, info, subscores: subs });
}

/** A subscore worth the best of `subs` (awaited in parallel), with them as children. */
export async function combineAny(
  weight: number,
  subs: readonly SubScoreInput[],
  name: string,
): Promise<SubScore> {
  const children = uniquelyNamed(await gather(subs, "combineAny()"));
  return new SubScore({ name, weight, value: Math.max(...children.map((c) => c.value)), children });
}

/** A subscore worth the worst of `subs` (awaited in parallel), with them as children. */
export async function combineAll(
  weight: number,
  subs: readonly SubScoreInput[],
  name: string,
): Promise<SubScore> {
  const children = uniquelyNamed(await gather(subs, "combineAll()"));
  return new SubScore({ name, weight, value: Math.min(...children.map((c) => c.value)), children });
}
