// Unified diffs of two texts (Myers' O(ND) line diff, 3 lines of context), in GNU `diff -u` format.

/** Edit cost beyond which the middle of the files is shown as replaced wholesale (bounds time and memory). */
const DEFAULT_MAX_EDITS = 2000;

type Op = "=" | "-" | "+";

export interface UnifiedDiffOptions {
  /** Label of the old side (`a/<path>`, or `/dev/null` for an added file). */
  from: string;
  /** Label of the new side. */
  to: string;
  context?: number;
  maxEdits?: number;
}

/** Lines with their terminators (`"a\nb"` → `["a\n", "b"]`), so a missing final newline is a difference. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const at = text.indexOf("\n", start);
    if (at < 0) break;
    lines.push(text.slice(start, at + 1));
    start = at + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * The shortest edit script turning `a` into `b` (Myers 1986), as one op per line. When more than `maxEdits`
 * edits are needed, the part between the common prefix and suffix is deleted and inserted whole.
 */
export function diffOps(a: readonly string[], b: readonly string[], maxEdits = DEFAULT_MAX_EDITS): Op[] {
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const x = Int32Array.from(a, idOf);
  const y = Int32Array.from(b, idOf);
  let prefix = 0;
  while (prefix < x.length && prefix < y.length && x[prefix] === y[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < x.length - prefix &&
    suffix < y.length - prefix &&
    x[x.length - 1 - suffix] === y[y.length - 1 - suffix]
  )
    suffix++;
  const middle =
    myers(x.subarray(prefix, x.length - suffix), y.subarray(prefix, y.length - suffix), maxEdits) ??
    replaceAll(x.length - prefix - suffix, y.length - prefix - suffix);
  return [...new Array<Op>(prefix).fill("="), ...middle, ...new Array<Op>(suffix).fill("=")];
}

function replaceAll(n: number, m: number): Op[] {
  return [...new Array<Op>(n).fill("-"), ...new Array<Op>(m).fill("+")];
}

/** Myers' greedy forward search, keeping each round's frontier to walk the path back; undefined past `max`. */
function myers(a: Int32Array, b: Int32Array, max: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return replaceAll(n, m);
  const limit = Math.min(n + m, max);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const rounds: Int32Array[] = [];
  for (let d = 0; d <= limit; d++) {
    rounds.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let px: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) px = v[offset + k + 1]!;
      else px = v[offset + k - 1]! + 1;
      let py = px - k;
      while (px < n && py < m && a[px] === b[py]) {
        px++;
        py++;
      }
      v[offset + k] = px;
      if (px >= n && py >= m) return backtrack(rounds, d, n, m);
    }
  }
  return undefined;
}

/** Walk from (n, m) back to (0, 0) through the frontiers saved before each round. */
function backtrack(rounds: Int32Array[], last: number, n: number, m: number): Op[] {
  const ops: Op[] = [];
  let px = n;
  let py = m;
  for (let d = last; d > 0; d--) {
    const before = rounds[d]!;
    // `before` holds diagonals -d-1 … d+1 of the frontier after round d-1.
    const at = (k: number) => before[k + d + 1]!;
    const k = px - py;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (px > prevX && py > prevY) {
      ops.push("=");
      px--;
      py--;
    }
    ops.push(down ? "+" : "-");
    px = prevX;
    py = prevY;
  }
  while (px > 0 && py > 0) {
    ops.push("=");
    px--;
    py--;
  }
  return ops.reverse();
}

/** `start,count` as diff prints it: a count of 1 is omitted; an empty range names the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  if (count === 1) return `${start + 1}`;
  return `${start + 1},${count}`;
}

function pushLine(out: string[], mark: string, line: string): void {
  if (line.endsWith("\n")) out.push(mark, line);
  else out.push(mark, line, "\n\\ No newline at end of file\n");
}

/** A unified diff of `before` → `after` with `--- from` / `+++ to` headers, or "" when they are equal. */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffOps(a, b, options.maxEdits);
  const context = options.context ?? 3;
  // Positions (in ops) of changes, grouped into hunks when at most 2×context equal lines separate them.
  const out: string[] = [`--- ${options.from}\n+++ ${options.to}\n`];
  let i = 0;
  let ai = 0;
  let bi = 0;
  const aAt: number[] = [];
  const bAt: number[] = [];
  for (const op of ops) {
    aAt.push(ai);
    bAt.push(bi);
    if (op !== "+") ai++;
    if (op !== "-") bi++;
  }
  while (i < ops.length) {
    while (i < ops.length && ops[i] === "=") i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end] !== "=") end++;
      let gap = end;
      while (gap < ops.length && ops[gap] === "=") gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    let aCount = 0;
    let bCount = 0;
    for (let j = start; j < end; j++) {
      if (ops[j] !== "+") aCount++;
      if (ops[j] !== "-") bCount++;
    }
    out.push(`@@ -${range(aAt[start]!, aCount)} +${range(bAt[start]!, bCount)} @@\n`);
    let j = start;
    while (j < end) {
      if (ops[j] === "=") {
        pushLine(out, " ", a[aAt[j]!]!);
        j++;
        continue;
      }
      // A run of changes prints its deletions before its insertions, as diff and git do.
      let runEnd = j;
      while (runEnd < end && ops[runEnd] !== "=") runEnd++;
      for (let r = j; r < runEnd; r++) if (ops[r] === "-") pushLine(out, "-", a[aAt[r]!]!);
      for (let r = j; r < runEnd; r++) if (ops[r] === "+") pushLine(out, "+", b[bAt[r]!]!);
      j = runEnd;
    }
    i = end;
  }
  return out.join("");
}
