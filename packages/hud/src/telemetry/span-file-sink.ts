// SpanFileSink: each recorded step appended as a span line to <dir>/<trace id>.jsonl (HUD_TELEMETRY_LOCAL_DIR).
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Run } from "../eval/run.ts";
import type { JobObserver } from "../eval/schedule.ts";
import type { Trace } from "../eval/trace.ts";
import { errorMessage } from "../protocol/errors.ts";
import { pythonJsonLine } from "./python-json-line.ts";
import { normalizeTraceId, stepSpan } from "./span.ts";

interface OpenFile {
  trace: Trace;
  fd: number | undefined;
  written: number;
  unsubscribe: () => void;
}

/** The span file of a trace in `dir`. */
export function spanFilePath(dir: string, traceId: string): string {
  return join(dir, `${normalizeTraceId(traceId)}.jsonl`);
}

/**
 * Best effort, like the reference's local exporter: a failure to write is a warning, never a failed rollout.
 * Each line goes out in one synchronous append, so concurrent rollouts never interleave lines.
 */
export class SpanFileSink implements JobObserver, Disposable {
  /** Where span files go; undefined disables the sink. */
  readonly dir: string | undefined;
  private readonly files = new Map<string, OpenFile>();
  private warned = false;
  private madeDir = false;

  constructor(dir: string | undefined = process.env.HUD_TELEMETRY_LOCAL_DIR || undefined) {
    this.dir = dir || undefined;
  }

  /** A sink for HUD_TELEMETRY_LOCAL_DIR, or undefined when it is not set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SpanFileSink | undefined {
    const dir = env.HUD_TELEMETRY_LOCAL_DIR;
    return dir ? new SpanFileSink(dir) : undefined;
  }

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  rolloutStarted(run: Run): void {
    const traceId = run.trace.trace_id;
    if (!this.dir || traceId === undefined || this.files.has(traceId)) return;
    const file: OpenFile = { trace: run.trace, fd: this.openFor(traceId), written: 0, unsubscribe: () => {} };
    this.files.set(traceId, file);
    this.flush(file);
    file.unsubscribe = run.trace.onStep(() => this.flush(file));
  }

  rolloutFinished(run: Run): void {
    const traceId = run.trace.trace_id;
    if (!this.dir || traceId === undefined) return;
    if (!this.files.has(traceId)) this.rolloutStarted(run);
    const file = this.files.get(traceId);
    if (!file) return;
    this.flush(file);
    this.release(traceId, file);
  }

  close(): void {
    for (const [traceId, file] of this.files) this.release(traceId, file);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private openFor(traceId: string): number | undefined {
    try {
      if (!this.madeDir) {
        mkdirSync(this.dir!, { recursive: true });
        this.madeDir = true;
      }
      return openSync(spanFilePath(this.dir!, traceId), "a");
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  /** Append the steps recorded since the last flush. */
  private flush(file: OpenFile): void {
    if (file.fd === undefined) return;
    const steps = file.trace.steps;
    const traceId = file.trace.trace_id!;
    try {
      while (file.written < steps.length) {
        const line = Buffer.from(`${pythonJsonLine(stepSpan(steps[file.written]!, traceId))}\n`, "utf8");
        let offset = 0;
        while (offset < line.length) offset += writeSync(file.fd, line, offset);
        file.written++;
      }
    } catch (error) {
      this.warn(error);
    }
  }

  private release(traceId: string, file: OpenFile): void {
    file.unsubscribe();
    this.files.delete(traceId);
    if (file.fd === undefined) return;
    try {
      closeSync(file.fd);
    } catch (error) {
      this.warn(error);
    }
  }

  private warn(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`span files in ${this.dir}: ${errorMessage(error)} (further errors not shown)`);
  }
}
