// The runner's file tracking: after each tool step, and when the agent is done, record the workspace diff in the trace.
import { type Capability, PROTOCOLS } from "../capabilities/capability.ts";
import { FileTrackingClient } from "../capabilities/clients/filetracking.ts";
import type { CapturedFile, CaptureResult, DiffResult } from "../capabilities/clients/filetracking-wire.ts";
import { errorMessage } from "../protocol/errors.ts";
import type { Run } from "./run.ts";
import { now, type Step } from "./trace.ts";

export interface FileTrackingObserverOptions {
  /** Where the one warning about a failure goes (default: a process warning). */
  onWarning?: (message: string) => void;
  /** Seconds per call (default 60). */
  timeout?: number;
  /** Seconds bounding the final flush (default 30). */
  flushTimeout?: number;
  /** Patch text recorded per step (default 4 MiB); later patches of the step get a placeholder. */
  maxStepBytes?: number;
}

/** A capture as recorded in the trace: what was captured, without the documents' bytes. */
export type CaptureSummary = Omit<CaptureResult, "files"> & { files: Omit<CapturedFile, "file">[] };

/** The `extra` of a workspace diff step (`source: "system"`). */
export interface WorkspaceDiffExtra {
  workspace_diff: DiffResult;
  /** The filetracking capability it came from. */
  workspace: string;
  /** The tool step after which the diff was taken; absent for the diff taken when the agent finished. */
  after_step_id?: number;
  /** What the final flush captured (documents added or modified during the rollout). */
  workspace_capture?: CaptureSummary;
}

/** The workspace diff a step carries, if it is a workspace diff step. */
export function workspaceDiffOf(step: Step): WorkspaceDiffExtra | undefined {
  const diff = step.extra?.workspace_diff;
  if (typeof diff !== "object" || diff === null || !Array.isArray((diff as DiffResult).patches))
    return undefined;
  return step.extra as unknown as WorkspaceDiffExtra;
}

/** `diff` with patch text past `maxBytes` replaced by placeholders (traces stay bounded). */
export function boundDiff(diff: DiffResult, maxBytes: number): DiffResult {
  let total = 0;
  let cut = false;
  const patches = diff.patches.map((p) => {
    const bytes = Buffer.byteLength(p.patch);
    if (total + bytes <= maxBytes) {
      total += bytes;
      return p;
    }
    cut = true;
    return { ...p, patch: "[diff omitted: the trace step limit was reached]\n" };
  });
  return cut ? { ...diff, patches, truncated: true } : diff;
}

function summarize(capture: CaptureResult): CaptureSummary {
  return { ...capture, files: capture.files.map(({ file: _file, ...rest }) => rest) };
}

/** Runs already followed: a second observer of the same run (e.g. an agent wrapping itself) does nothing. */
const observed = new WeakSet<Run>();

/** One filetracking binding being followed. */
class Session {
  readonly name: string;
  readonly client: FileTrackingClient;
  private dirty: number | undefined;
  private pending: Promise<void> | undefined;
  failed = false;

  constructor(name: string, client: FileTrackingClient) {
    this.name = name;
    this.client = client;
  }

  /** Diff after tool step `stepId`; steps arriving while a diff runs are covered by one more diff. */
  schedule(stepId: number, observe: (session: Session, afterStepId: number) => Promise<void>): void {
    this.dirty = stepId;
    this.pending ??= (async () => {
      while (this.dirty !== undefined && !this.failed) {
        const id = this.dirty;
        this.dirty = undefined;
        await observe(this, id);
      }
      this.pending = undefined;
    })();
  }

  settled(): Promise<void> {
    return this.pending ?? Promise.resolve();
  }
}

/**
 * Follows a run's `filetracking/1` bindings: `setup` when started, `diff` after each tool step, `flush` on
 * `finish()`. Changes are recorded as `system` steps carrying `extra.workspace_diff`. It never fails the
 * rollout: the first failure is reported once as a warning and that binding is dropped.
 */
export class FileTrackingObserver {
  private readonly run: Run;
  private readonly options: FileTrackingObserverOptions;
  private sessions: Session[] = [];
  private unsubscribe: (() => void) | undefined;
  private warned = false;
  private finished = false;
  private closing = false;

  private constructor(run: Run, options: FileTrackingObserverOptions) {
    this.run = run;
    this.options = options;
  }

  /** Start following the run's file tracking bindings (none: an observer that does nothing). Never rejects. */
  static async start(run: Run, options: FileTrackingObserverOptions = {}): Promise<FileTrackingObserver> {
    const observer = new FileTrackingObserver(run, options);
    if (observed.has(run)) return observer;
    let caps: Capability[];
    try {
      caps = run.bindings.filter((cap) => cap.protocol === PROTOCOLS.filetracking);
    } catch (error) {
      observer.warn(`file tracking is off for this rollout: ${errorMessage(error)}`);
      return observer;
    }
    if (caps.length === 0) return observer;
    observed.add(run);
    await Promise.all(
      caps.map(async (cap) => {
        let client: FileTrackingClient | undefined;
        try {
          client = await FileTrackingClient.connect(cap, { timeout: options.timeout });
          // The baseline is re-taken now, so the task's own setup is not counted as the agent's work.
          if (cap.params.setup_diff === true) await client.setup();
          else await client.advance();
          observer.sessions.push(new Session(cap.name, client));
        } catch (error) {
          client?.abort();
          observer.warn(`file tracking '${cap.name}' is off for this rollout: ${errorMessage(error)}`);
        }
      }),
    );
    if (observer.sessions.length > 0) {
      observer.unsubscribe = run.trace.onStep((step) => {
        if (step.source !== "tool" || observer.finished) return;
        for (const session of observer.sessions)
          session.schedule(step.step_id, (s, id) => observer.diff(s, id));
      });
    }
    return observer;
  }

  /** Whether any binding is being followed. */
  get active(): boolean {
    return this.sessions.some((s) => !s.failed);
  }

  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    (this.options.onWarning ?? ((m: string) => process.emitWarning(m)))(message);
  }

  private drop(session: Session, error: unknown): void {
    session.failed = true;
    session.client.abort();
    if (!this.closing) this.warn(`file tracking '${session.name}' stopped: ${errorMessage(error)}`);
  }

  private record(extra: WorkspaceDiffExtra, startedAt: string): void {
    const bounded = boundDiff(extra.workspace_diff, this.options.maxStepBytes ?? 4 * 1024 * 1024);
    this.run.trace.record({
      source: "system",
      started_at: startedAt,
      extra: { ...extra, workspace_diff: bounded } as unknown as Record<string, unknown>,
    });
  }

  private async diff(session: Session, afterStepId: number): Promise<void> {
    const startedAt = now();
    try {
      const diff = await session.client.diff();
      if (diff.patches.length > 0 && !this.finished) {
        this.record({ workspace_diff: diff, workspace: session.name, after_step_id: afterStepId }, startedAt);
      }
    } catch (error) {
      this.drop(session, error);
    }
  }

  /** Stop following tool steps, then flush: the changes since the last diff are recorded. Never rejects. */
  async finish(): Promise<void> {
    if (this.finished) return;
    if (this.sessions.length === 0) return this.close();
    this.unsubscribe?.();
    await Promise.all(this.sessions.map((s) => s.settled()));
    this.finished = true;
    await Promise.all(
      this.sessions.map(async (session) => {
        if (session.failed) return;
        const startedAt = now();
        try {
          const { diff, capture } = await session.client.flush({ timeout: this.options.flushTimeout ?? 30 });
          const captured = capture.files_eligible > 0;
          if (diff.patches.length > 0 || captured) {
            const extra: WorkspaceDiffExtra = { workspace_diff: diff, workspace: session.name };
            if (captured) extra.workspace_capture = summarize(capture);
            this.record(extra, startedAt);
          }
        } catch (error) {
          this.drop(session, error);
        }
      }),
    );
    await this.close();
  }

  /** Stop without flushing and close the connections. Never rejects. */
  async close(): Promise<void> {
    this.finished = true;
    this.closing = true;
    this.unsubscribe?.();
    const sessions = this.sessions;
    if (sessions.length === 0) return;
    this.sessions = [];
    await Promise.all(sessions.map((s) => s.client.close().catch(() => {})));
  }
}

/** Whether `run` has file tracking bindings to follow (bindings it cannot read count: the observer says why). */
export function tracksFiles(run: Run): boolean {
  try {
    return run.bindings.some((cap) => cap.protocol === PROTOCOLS.filetracking);
  } catch {
    return true;
  }
}

/** Follow `run`'s file tracking (see FileTrackingObserver). */
export function observeFileTracking(
  run: Run,
  options: FileTrackingObserverOptions = {},
): Promise<FileTrackingObserver> {
  return FileTrackingObserver.start(run, options);
}
