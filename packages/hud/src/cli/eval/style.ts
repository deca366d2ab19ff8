// Plain ANSI styling for terminals (and none otherwise), plus the small text shapes every view shares.

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export const ANSI: Style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
};

const same = (text: string) => text;
export const PLAIN: Style = { bold: same, dim: same, red: same, green: same, yellow: same };

/** Colors only on a terminal, and never when NO_COLOR is set. */
export function styleFor(tty: boolean, env: NodeJS.ProcessEnv): Style {
  return tty && !env.NO_COLOR ? ANSI : PLAIN;
}

/** One line, at most `max` characters (an ellipsis marks the cut). */
export function clip(text: string, max: number): string {
  const line = text.replace(/\s*\n\s*/g, " ⏎ ");
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}

/** One line of at most `max` characters keeping the end (paths: the file name matters most). */
export function clipStart(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

/** A bounded block: at most `maxLines` lines of at most `maxChars` characters in all. */
export function bounded(text: string, maxChars: number, maxLines: number): string[] {
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  const lines = cut.split("\n");
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`];
}

/** `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Seconds for humans: `0.42s`, `12.3s`, `2:05`. */
export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return clock(seconds);
}

/** Dollars: four decimals under $1 (model calls cost fractions of a cent), two above. */
export function dollars(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function reward(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : value.toFixed(3);
}

/** Left-aligned columns separated by two spaces; `right` lists columns aligned right. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
