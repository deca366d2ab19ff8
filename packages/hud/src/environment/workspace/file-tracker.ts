// FileTracker: what changed in a workspace tree between samples, as `filetracking/1` DiffResults and captures.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import {
  CAPTURE_MEDIA_TYPES,
  type CapturedFile,
  type CaptureResult,
  type DiffResult,
  FILETRACKING_LIMITS,
  type FilePatch,
  type FlushResult,
  type SnapshotResult,
} from "../../capabilities/clients/filetracking-wire.ts";
import { type Scan, type ScanLimits, type ScannedFile, scanTree } from "./file-tracker-scan.ts";
import { unifiedDiff } from "./file-tracking-diff.ts";
import { parseIgnoreLine } from "./file-tracking-ignore.ts";
import { redactSecrets } from "./file-tracking-rules.ts";

export interface FileTrackerOptions {
  /** Extra gitignore-style patterns (relative to the root) never tracked. */
  exclude?: readonly string[];
  /** Files larger than this are not tracked (default 10 MB). */
  maxFileBytes?: number;
  /** Larger files and patches get a placeholder (default 1 MiB). */
  maxDiffBytesPerFile?: number;
  /** Patch text per DiffResult (default 50 MiB); later patches get a placeholder. */
  maxDiffBytesTotal?: number;
  /** Files per scan (default 100 000); beyond it the scan stops and results are `truncated`. */
  maxFiles?: number;
  /** File text kept between samples (default 64 MiB). */
  maxTextBytes?: number;
  maxCaptureFiles?: number;
  maxCaptureBytesPerFile?: number;
  maxCaptureBytesTotal?: number;
}

type Limits = Required<Omit<FileTrackerOptions, "exclude">>;

const DEFAULTS: Limits = {
  maxFileBytes: FILETRACKING_LIMITS.maxFileBytes,
  maxDiffBytesPerFile: FILETRACKING_LIMITS.maxDiffBytesPerFile,
  maxDiffBytesTotal: FILETRACKING_LIMITS.maxDiffBytesTotal,
  maxFiles: 100_000,
  maxTextBytes: 64 * 1024 * 1024,
  maxCaptureFiles: FILETRACKING_LIMITS.maxCaptureFiles,
  maxCaptureBytesPerFile: FILETRACKING_LIMITS.maxCaptureBytesPerFile,
  maxCaptureBytesTotal: FILETRACKING_LIMITS.maxCaptureBytesTotal,
};

/** `1 MiB`, `64 KiB`, `100 bytes`. */
function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(2))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(2))} KiB`;
  return `${bytes} bytes`;
}

/** The patch text of one change, or its placeholder. */
function patchText(
  path: string,
  before: ScannedFile | undefined,
  after: ScannedFile | undefined,
  limits: Limits,
): string {
  if (before?.kind === "secret" || after?.kind === "secret") return `[secret file redacted: ${path}]\n`;
  const from = before ? `a/${path}` : "/dev/null";
  const to = after ? `b/${path}` : "/dev/null";
  if (before?.kind === "binary" || after?.kind === "binary") return `Binary files ${from} and ${to} differ\n`;
  if (before?.kind === "large" || after?.kind === "large") {
    return `[diff omitted: ${path} is larger than ${sizeText(limits.maxDiffBytesPerFile)}]\n`;
  }
  if ((before && before.text === undefined) || (after && after.text === undefined)) {
    return `[diff omitted: ${path}: workspace text over the tracker's memory limit]\n`;
  }
  const patch = unifiedDiff(before?.text ?? "", after?.text ?? "", { from, to });
  if (Buffer.byteLength(patch) > limits.maxDiffBytesPerFile) {
    return `[diff omitted: the patch of ${path} is larger than ${sizeText(limits.maxDiffBytesPerFile)}]\n`;
  }
  return redactSecrets(patch);
}

/** Compare two scans: one patch per added, modified or deleted file, in path order, within the limits. */
export function diffScans(before: Scan, after: Scan, limits: Limits = DEFAULTS): DiffResult {
  const paths = new Set([...before.files.keys(), ...after.files.keys()]);
  const patches: FilePatch[] = [];
  let total = 0;
  let truncated = after.truncated;
  for (const path of [...paths].sort()) {
    const a = before.files.get(path);
    const b = after.files.get(path);
    // A file the truncated scan never reached is unknown, not deleted.
    if (a && !b && after.truncated) continue;
    if (a && b && a.hash === b.hash) continue;
    const secret = a?.kind === "secret" || b?.kind === "secret";
    let patch = patchText(path, a, b, limits);
    const bytes = Buffer.byteLength(patch);
    if (total + bytes > limits.maxDiffBytesTotal) {
      patch = `[diff omitted: the total diff limit (${sizeText(limits.maxDiffBytesTotal)}) was reached]\n`;
      truncated = true;
    } else total += bytes;
    patches.push({
      path,
      status: !a ? "added" : !b ? "deleted" : "modified",
      patch,
      size_before: a?.size ?? null,
      size_after: b?.size ?? null,
      content_hash_before: secret ? null : (a?.hash ?? null),
      content_hash_after: secret ? null : (b?.hash ?? null),
    });
  }
  const result: DiffResult = {
    snapshot_timestamp: after.timestamp,
    scan_duration_ms: after.durationMs,
    files_scanned: after.filesScanned,
    files_changed: patches.length,
    patches,
  };
  if (truncated) result.truncated = true;
  return result;
}

/**
 * Tracks one directory. `start()` takes the baseline; `setup()` reports changes since then and starts a
 * session; `diff()` reports changes since the previous sample; `flush()` adds a capture of the documents the
 * session added or modified. Calls must not overlap (the server serializes them).
 */
export class FileTracker {
  readonly root: string;
  private readonly limits: Limits;
  private readonly scanLimits: ScanLimits;
  /** The previous sample: what the next diff compares against. */
  private previous: Scan | undefined;
  /** The session's start: what a capture compares against. */
  private session: Scan | undefined;

  constructor(root: string, options: FileTrackerOptions = {}) {
    this.root = resolve(root);
    const { exclude = [], ...limits } = options;
    this.limits = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
    };
    this.scanLimits = {
      maxFileBytes: this.limits.maxFileBytes,
      maxDiffBytesPerFile: this.limits.maxDiffBytesPerFile,
      maxFiles: this.limits.maxFiles,
      maxTextBytes: this.limits.maxTextBytes,
      exclude: exclude.flatMap((line) => parseIgnoreLine(line) ?? []),
    };
  }

  private scan(): Promise<Scan> {
    return scanTree(this.root, this.scanLimits, this.previous);
  }

  /** Take the baseline (done once; later calls keep it). */
  async start(): Promise<void> {
    if (this.previous) return;
    this.previous = await this.scan();
    this.session = this.previous;
  }

  /** Changes since the previous sample; the current tree becomes the previous sample. */
  async diff(): Promise<DiffResult> {
    await this.start();
    const current = await this.scan();
    const result = diffScans(this.previous!, current, this.limits);
    this.previous = current;
    return result;
  }

  /** Changes since the baseline (e.g. made by a task's setup); the current tree starts a new session. */
  async setup(): Promise<DiffResult> {
    const result = await this.diff();
    this.session = this.previous;
    return result;
  }

  /** Re-baseline without a diff (what runners speaking to servers without `setup` do). */
  async advance(): Promise<{ advanced: true }> {
    await this.start();
    this.previous = await this.scan();
    this.session = this.previous;
    return { advanced: true };
  }

  /** The tracked files now (secrets left out); samples are unchanged. */
  async snapshot(): Promise<SnapshotResult> {
    await this.start();
    const scan = await this.scan();
    const files = [...scan.files.values()]
      .filter((f) => f.kind !== "secret")
      .map((f) => ({ path: f.path, size: f.size, content_hash: f.hash }));
    return { files, files_scanned: scan.filesScanned };
  }

  /** The final diff, plus the documents added or modified since the session started, captured whole. */
  async flush(): Promise<FlushResult> {
    const diff = await this.diff();
    const capture = await this.capture(this.session!, this.previous!);
    return { diff, capture };
  }

  private async capture(session: Scan, current: Scan): Promise<CaptureResult> {
    let changed = 0;
    const eligible: { file: ScannedFile; status: "added" | "modified"; mediaType: string }[] = [];
    for (const file of current.files.values()) {
      const before = session.files.get(file.path);
      if (before?.hash === file.hash) continue;
      changed++;
      const mediaType = CAPTURE_MEDIA_TYPES[extname(file.path).toLowerCase()];
      if (mediaType && file.kind !== "secret") {
        eligible.push({ file, status: before ? "modified" : "added", mediaType });
      }
    }
    for (const path of session.files.keys()) if (!current.files.has(path)) changed++;
    eligible.sort((a, b) => (a.file.path < b.file.path ? -1 : 1));
    const files: CapturedFile[] = [];
    let total = 0;
    for (const { file, status, mediaType } of eligible) {
      if (files.length >= this.limits.maxCaptureFiles) break;
      if (
        file.size > this.limits.maxCaptureBytesPerFile ||
        total + file.size > this.limits.maxCaptureBytesTotal
      ) {
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(join(this.root, file.path));
      } catch {
        continue;
      }
      if (
        bytes.length > this.limits.maxCaptureBytesPerFile ||
        total + bytes.length > this.limits.maxCaptureBytesTotal
      ) {
        continue;
      }
      total += bytes.length;
      files.push({
        path: file.path,
        size: bytes.length,
        content_hash: createHash("sha256").update(bytes).digest("hex"),
        content_type: mediaType,
        status,
        file: { type: "file", data: bytes.toString("base64"), media_type: mediaType },
      });
    }
    const result: CaptureResult = {
      snapshot_timestamp: current.timestamp,
      scan_duration_ms: current.durationMs,
      files_scanned: current.filesScanned,
      files_changed: changed,
      files_eligible: eligible.length,
      files_captured: files.length,
      files_skipped: eligible.length - files.length,
      files,
    };
    if (result.files_skipped > 0 || current.truncated) result.truncated = true;
    return result;
  }
}
