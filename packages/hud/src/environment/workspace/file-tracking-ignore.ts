// .gitignore matching: comments, negation, directory-only and anchored patterns, `*`, `?`, `**`, classes.

export interface IgnoreRule {
  /** Matches a path relative to the directory of the .gitignore that holds the rule. */
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** The rules of one ignore file and the directory (posix, relative to the scan root; "" for the root) it sits in. */
export interface IgnoreLayer {
  base: string;
  rules: IgnoreRule[];
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/** `[[:name:]]` members, as regex class text. */
const POSIX_CLASSES: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  blank: " \\t",
  digit: "0-9",
  lower: "a-z",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\s",
  upper: "A-Z",
  xdigit: "0-9a-fA-F",
};

/** Trailing spaces are dropped unless the last one is escaped with a backslash. */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === " ") {
    if (end >= 2 && line[end - 2] === "\\") break;
    end--;
  }
  return line.slice(0, end);
}

/** A `[...]` class starting at `at`, as a regex class that never matches "/", or undefined if unclosed. */
function bracket(pattern: string, at: number): { source: string; next: number } | undefined {
  let i = at + 1;
  let negate = false;
  if (pattern[i] === "!" || pattern[i] === "^") {
    negate = true;
    i++;
  }
  let body = "";
  let first = true;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "]" && !first) {
      return { source: negate ? `[^/${body}]` : `(?!/)[${body}]`, next: i + 1 };
    }
    first = false;
    const named = c === "[" && pattern[i + 1] === ":" ? /^\[:([a-z]+):\]/.exec(pattern.slice(i)) : null;
    if (named) {
      const members = POSIX_CLASSES[named[1]!];
      if (members === undefined) return undefined;
      body += members;
      i += named[0].length;
      continue;
    }
    if (c === "\\" && i + 1 < pattern.length) {
      body += `\\${pattern[i + 1]}`;
      i += 2;
      continue;
    }
    body += c === "-" ? "-" : c === "[" || c === "]" || c === "^" || c === "\\" ? `\\${c}` : c;
    i++;
  }
  return undefined;
}

/** The regex source of a glob body (no leading "/" or trailing "/"); undefined when git would match nothing. */
function globSource(glob: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < glob.length) {
    const atSegmentStart = i === 0 || glob[i - 1] === "/";
    if (atSegmentStart && glob.startsWith("**/", i)) {
      out += "(?:.*/)?";
      i += 3;
      continue;
    }
    if (atSegmentStart && i + 2 === glob.length && glob.startsWith("**", i)) {
      out += ".*";
      i += 2;
      continue;
    }
    const c = glob[i]!;
    if (c === "*") {
      while (glob[i] === "*") i++;
      out += "[^/]*";
      continue;
    }
    if (c === "?") out += "[^/]";
    else if (c === "[") {
      // As git's wildmatch: an unclosed class (or an unknown [:name:]) makes the pattern match nothing.
      const cls = bracket(glob, i);
      if (!cls) return undefined;
      out += cls.source;
      i = cls.next;
      continue;
    } else if (c === "\\" && i + 1 < glob.length) {
      const next = glob[++i]!;
      out += REGEX_SPECIAL.test(next) ? `\\${next}` : next;
    } else out += REGEX_SPECIAL.test(c) ? `\\${c}` : c;
    i++;
  }
  return out;
}

/** One .gitignore line as a rule, or undefined for blanks and comments. */
export function parseIgnoreLine(raw: string): IgnoreRule | undefined {
  let line = trimTrailingSpaces(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
  if (line === "" || line.startsWith("#")) return undefined;
  let negate = false;
  if (line.startsWith("!")) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith("\\!") || line.startsWith("\\#")) line = line.slice(1);
  let dirOnly = false;
  if (line.endsWith("/") && !line.endsWith("\\/")) {
    dirOnly = true;
    line = line.replace(/\/+$/, "");
  }
  if (line === "") return undefined;
  // A slash anywhere but the end anchors the pattern to the .gitignore's directory.
  const anchored = line.includes("/");
  const body = line.replace(/^\/+/, "");
  if (body === "") return undefined;
  const source = globSource(body);
  if (source === undefined) return undefined;
  return { regex: new RegExp(anchored ? `^${source}$` : `^(?:.*/)?${source}$`), negate, dirOnly };
}

export function parseIgnoreFile(text: string): IgnoreRule[] {
  return text.split("\n").flatMap((line) => parseIgnoreLine(line) ?? []);
}

/**
 * Whether `path` (posix, relative to the scan root) is ignored by `layers` (root first, deeper later): the
 * last matching rule decides, and deeper files override shallower ones. A path inside an ignored directory
 * is never visited, so (as in git) it cannot be re-included.
 */
export function isIgnored(layers: readonly IgnoreLayer[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const layer of layers) {
    let rel: string;
    if (layer.base === "") rel = path;
    else if (path.startsWith(`${layer.base}/`)) rel = path.slice(layer.base.length + 1);
    else continue;
    for (const rule of layer.rules) {
      if (rule.dirOnly && !isDir) continue;
      if (rule.negate === !ignored) continue;
      if (rule.regex.test(rel)) ignored = !rule.negate;
    }
  }
  return ignored;
}
