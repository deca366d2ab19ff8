// One scan of a workspace tree: every tracked file's size and sha256, and the text of the diffable ones.

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import type { BigIntStats, Dirent } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type IgnoreLayer, type IgnoreRule, isIgnored, parseIgnoreFile } from "./file-tracking-ignore.ts";
import { isExcludedDir, isExcludedFile, isSecretPath } from "./file-tracking-rules.ts";

/** How a file takes part in diffs. */
export type FileKind = "text" | "binary" | "large" | "secret";

export interface ScannedFile {
  path: string;
  size: number;
  hash: string;
  kind: FileKind;
  /** The content of a text file, unless the scan's text budget ran out. */
  text?: string;
  /** Identity and times from lstat: an unchanged stamp lets the next scan reuse the hash. */
  stamp: string;
  changedAtMs: number;
}

export interface Scan {
  files: Map<string, ScannedFile>;
  filesScanned: number;
  startedAtMs: number;
  timestamp: string;
  durationMs: number;
  /** The file limit stopped the scan: files not seen may still exist. */
  truncated: boolean;
}

export interface ScanLimits {
  maxFileBytes: number;
  maxDiffBytesPerFile: number;
  maxFiles: number;
  /** Text kept in memory across all files (beyond it, modified files get a placeholder patch). */
  maxTextBytes: number;
  /** Extra gitignore-style patterns, relative to the root. */
  exclude: readonly IgnoreRule[];
}

/** Files changed this close to the previous scan's start may have changed again within the clock's tick. */
const RACY_MS = 2000;
/** Files stat'ed and read concurrently. */
const BATCH = 16;
/** As git: a NUL in the first 8000 bytes makes a file binary. */
const BINARY_SNIFF_BYTES = 8000;

function kindOf(path: string, bytes: Buffer, limits: ScanLimits): FileKind {
  if (isSecretPath(path)) return "secret";
  if (bytes.length > limits.maxDiffBytesPerFile) return "large";
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0) || !isUtf8(bytes)) return "binary";
  return "text";
}

async function readIgnoreFile(path: string): Promise<IgnoreRule[]> {
  try {
    return parseIgnoreFile(await readFile(path, "utf8"));
  } catch {
    return [];
  }
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** Scan `root`, reusing `previous` entries whose stat stamp is unchanged (and not racily recent). */
export async function scanTree(root: string, limits: ScanLimits, previous?: Scan): Promise<Scan> {
  const startedAtMs = Date.now();
  const started = performance.now();
  const files = new Map<string, ScannedFile>();
  let filesScanned = 0;
  let textBytes = 0;
  let truncated = false;
  const reuseBefore = previous ? previous.startedAtMs - RACY_MS : Number.NEGATIVE_INFINITY;
  const rootLayers: IgnoreLayer[] = [
    {
      base: "",
      rules: [...limits.exclude, ...(await readIgnoreFile(join(root, ".git", "info", "exclude")))],
    },
  ];
  const stack: { dir: string; rel: string; layers: IgnoreLayer[] }[] = [
    { dir: root, rel: "", layers: rootLayers },
  ];
  while (stack.length > 0 && !truncated) {
    const { dir, rel, layers: parentLayers } = stack.pop()!;
    const entries = await listDir(dir);
    let layers = parentLayers;
    if (entries.some((e) => e.name === ".gitignore" && e.isFile())) {
      layers = [...parentLayers, { base: rel, rules: await readIgnoreFile(join(dir, ".gitignore")) }];
    }
    const subdirs: { dir: string; rel: string; layers: IgnoreLayer[] }[] = [];
    const wanted: { full: string; path: string }[] = [];
    for (const entry of entries) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!isExcludedDir(entry.name) && !isIgnored(layers, path, true))
          subdirs.push({ dir: full, rel: path, layers });
        continue;
      }
      // Symlinks are not followed (they may point out of the workspace); sockets and fifos have no content.
      if (entry.isFile() && !isExcludedFile(entry.name) && !isIgnored(layers, path, false)) {
        wanted.push({ full, path });
      }
    }
    // A few files at a time: stat calls overlap, and at most a batch of file contents is held at once.
    for (let at = 0; at < wanted.length && !truncated; at += BATCH) {
      const batch = await Promise.all(
        wanted
          .slice(at, at + BATCH)
          .map(({ full, path }) => scanFile(full, path, limits, previous?.files.get(path), reuseBefore)),
      );
      for (const file of batch) {
        if (!file) continue;
        if (++filesScanned > limits.maxFiles) {
          filesScanned--;
          truncated = true;
          break;
        }
        if (file.text !== undefined) {
          if (textBytes + file.text.length > limits.maxTextBytes) file.text = undefined;
          else textBytes += file.text.length;
        }
        files.set(file.path, file);
      }
    }
    // Depth-first in name order: pushed reversed so the first subdirectory is scanned next.
    stack.push(...subdirs.reverse());
  }
  return {
    files,
    filesScanned,
    startedAtMs,
    timestamp: new Date(startedAtMs).toISOString(),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    truncated,
  };
}

async function scanFile(
  full: string,
  path: string,
  limits: ScanLimits,
  before: ScannedFile | undefined,
  reuseBefore: number,
): Promise<ScannedFile | undefined> {
  let stat: BigIntStats;
  try {
    stat = await lstat(full, { bigint: true });
  } catch {
    return undefined;
  }
  if (!stat.isFile() || stat.size > BigInt(limits.maxFileBytes)) return undefined;
  const stamp = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  const changedAtMs = Math.max(Number(stat.mtimeMs), Number(stat.ctimeMs));
  if (before && before.stamp === stamp && before.changedAtMs < reuseBefore) return { ...before };
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch {
    return undefined;
  }
  if (bytes.length > limits.maxFileBytes) return undefined;
  const kind = kindOf(path, bytes, limits);
  return {
    path,
    size: bytes.length,
    hash: createHash("sha256").update(bytes).digest("hex"),
    kind,
    text: kind === "text" ? bytes.toString("utf8") : undefined,
    stamp,
    changedAtMs,
  };
}
