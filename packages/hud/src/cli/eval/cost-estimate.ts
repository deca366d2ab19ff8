// `hud eval --dry-run`: what a job would cost, from the recorded cost of earlier rollouts of the same model.
import type { CostHistory } from "../../store/local-store.ts";
import { dollars } from "./style.ts";

export interface CostEstimate {
  /** Undefined when nothing was recorded for the model. */
  usd: number | undefined;
  lines: string[];
}

/** `rollouts` per slug, priced by that task's own history where it has one, else by the model's mean. */
export function estimateCost(
  model: string,
  history: CostHistory,
  slugs: readonly string[],
  group: number,
): CostEstimate {
  const total = slugs.length * group;
  if (history.meanUsd === undefined) {
    return {
      usd: undefined,
      lines: [
        `No recorded rollouts of ${model} with a known cost, so no estimate for ${total} rollouts.`,
        `Run a small sample first (e.g. --task-ids 0), then --dry-run again.`,
      ],
    };
  }
  let usd = 0;
  let own = 0;
  for (const slug of slugs) {
    const known = history.bySlug.get(slug);
    if (known) own++;
    usd += (known?.meanUsd ?? history.meanUsd) * group;
  }
  return {
    usd,
    lines: [
      `Estimated cost: ${dollars(usd)} for ${total} rollouts of ${model} (≈ ${dollars(usd / total)} each).`,
      `Basis: ${history.rollouts} recorded rollouts of ${model}, mean ${dollars(history.meanUsd)}; ` +
        `${own} of ${slugs.length} tasks priced by their own history.`,
    ],
  };
}
