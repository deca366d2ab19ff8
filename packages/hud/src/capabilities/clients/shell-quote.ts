// POSIX shell quoting for the command lines the SSH client builds (file helpers, cwd).

/** One shell word that expands to exactly `text`. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
