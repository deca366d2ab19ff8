// The `filetracking/1` wire contract, declared once: methods, result shapes and limits (server and client share it).

/** Methods of a file tracking server; params are always `{}`. */
export const FILETRACKING_METHODS = ["setup", "advance", "snapshot", "diff", "flush"] as const;
export type FileTrackingMethod = (typeof FILETRACKING_METHODS)[number];

export type PatchStatus = "added" | "modified" | "deleted";

/** One changed file: a unified diff (`--- a/…`, `+++ b/…`) or a one-line placeholder. */
export interface FilePatch {
  path: string;
  status: PatchStatus;
  patch: string;
  size_before: number | null;
  size_after: number | null;
  content_hash_before: string | null;
  content_hash_after: string | null;
}

export interface DiffResult {
  /** When the scan started (ISO-8601 UTC). */
  snapshot_timestamp: string;
  scan_duration_ms: number;
  files_scanned: number;
  files_changed: number;
  patches: FilePatch[];
  /** Set when limits cut the result (patches replaced by placeholders, or the scan stopped early). */
  truncated?: boolean;
}

export interface SnapshotResult {
  files: { path: string; size: number; content_hash: string }[];
  files_scanned: number;
}

/** A document captured whole (base64), for viewers that render it. */
export interface CapturedFile {
  path: string;
  size: number;
  /** sha256 hex of the bytes. */
  content_hash: string;
  content_type: string;
  status?: "added" | "modified";
  file: { type: "file"; data: string; media_type: string };
}

export interface CaptureResult {
  snapshot_timestamp: string;
  scan_duration_ms: number;
  files_scanned: number;
  files_changed: number;
  files_eligible: number;
  files_captured: number;
  files_skipped: number;
  files: CapturedFile[];
  truncated?: boolean;
}

export interface FlushResult {
  diff: DiffResult;
  capture: CaptureResult;
}

export interface ResultOf {
  setup: DiffResult;
  advance: { advanced: true };
  snapshot: SnapshotResult;
  diff: DiffResult;
  flush: FlushResult;
}

const MIB = 1024 * 1024;

/** The reference limits (python-sdk §5.1). */
export const FILETRACKING_LIMITS = {
  /** Files larger than this are not tracked at all. */
  maxFileBytes: 10 * 1000 * 1000,
  /** Files (and patches) larger than this get a placeholder instead of a diff. */
  maxDiffBytesPerFile: MIB,
  /** Patch text of one DiffResult, in all. */
  maxDiffBytesTotal: 50 * MIB,
  maxCaptureFiles: 20,
  maxCaptureBytesPerFile: 5 * MIB,
  maxCaptureBytesTotal: 15 * MIB,
  /** What a client accepts in one reply frame (a full diff plus a capture, JSON-escaped). */
  clientMaxFrameBytes: 160 * MIB,
} as const;

/** Document types a flush captures whole, by extension. */
export const CAPTURE_MEDIA_TYPES: Readonly<Record<string, string>> = {
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".htm": "text/html",
  ".html": "text/html",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".webp": "image/webp",
  ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
