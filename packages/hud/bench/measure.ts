// Measuring helpers for the benchmarks: interleaved repeated runs, medians, and the one-line report format.

export interface Figure {
  name: string;
  /** The measured figure and its floor, in `unit`, formatted by `format`. */
  value: number;
  floor: number;
  floorName: string;
  unit: string;
  /** "lower" when smaller is better (latency), "higher" for rates. */
  better: "lower" | "higher";
  /** Target on the ratio value/floor: at most this (lower) or at least this (higher). */
  target: number;
  /** Further figures worth printing next to this one. */
  notes?: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Run every candidate `runs` times, interleaved (a b c a b c …) so that load from elsewhere on the
 * machine hits all of them alike, after one warm-up round. Returns the median sample per candidate.
 */
export async function interleaved<K extends string>(
  runs: number,
  candidates: Record<K, () => Promise<number>>,
): Promise<Record<K, { median: number; samples: number[] }>> {
  const names = Object.keys(candidates) as K[];
  for (const name of names) await candidates[name]();
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let run = 0; run < runs; run++) {
    for (const name of names) samples[name].push(await candidates[name]());
  }
  return Object.fromEntries(
    names.map((n) => [n, { median: median(samples[n]), samples: samples[n] }]),
  ) as Record<K, { median: number; samples: number[] }>;
}

/** Operations per second of `op`, run back to back for about `seconds`. */
export async function rate(seconds: number, op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let count = 0;
  let now = start;
  while (now < until) {
    // Batches keep the clock reads out of the loop's cost.
    for (let i = 0; i < 50; i++) await op();
    count += 50;
    now = performance.now();
  }
  return count / ((now - start) / 1000);
}

export function ratioOf(figure: Figure): number {
  return figure.value / figure.floor;
}

export function passes(figure: Figure): boolean {
  const ratio = ratioOf(figure);
  return figure.better === "lower" ? ratio <= figure.target : ratio >= figure.target;
}

const number = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3).replace(/\.?0+$/, "");

/** One line: name, figure, floor, ratio, target, PASS/MISS. */
export function formatFigure(figure: Figure): string {
  const ratio = ratioOf(figure);
  const target = `${figure.better === "lower" ? "≤" : "≥"} ${figure.target}×`;
  return [
    figure.name.padEnd(30),
    `${number(figure.value)} ${figure.unit}`.padEnd(16),
    `floor ${number(figure.floor)} ${figure.unit} (${figure.floorName})`.padEnd(52),
    `ratio ${ratio.toFixed(2)}×`.padEnd(13),
    `target ${target}`.padEnd(14),
    passes(figure) ? "PASS" : "MISS",
  ].join("  ");
}
