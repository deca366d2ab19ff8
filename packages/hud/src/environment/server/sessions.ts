// Sessions: each control connection is one; a session with a suspended task outlives its connection (parked).
import { randomFillSync } from "node:crypto";
import { ErrorCode, RpcError } from "../../protocol/errors.ts";
import type { RunningTask } from "./running-task.ts";

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 1,024 sessions instead of one each. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex8(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 4;
  return pool.toString("hex", used - 4, used);
}

export class Session {
  readonly id: string;
  task: RunningTask | undefined;
  /** True while a connection is attached. */
  live = true;
  /** Cancels the task when nobody comes back for it. */
  expiry: NodeJS.Timeout | undefined;
  constructor(id: string) {
    this.id = id;
  }
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  private readonly parkTtl: number;
  private readonly expire: (task: RunningTask) => void;

  /** `parkTtl` seconds until an unclaimed parked task is handed to `expire` (0: never). */
  constructor(parkTtl = 0, expire: (task: RunningTask) => void = () => {}) {
    this.parkTtl = parkTtl;
    this.expire = expire;
  }

  /** A fresh session for a new connection: `sess-` + 8 random hex chars. */
  open(): Session {
    let id: string;
    do id = `sess-${randomHex8()}`;
    while (this.sessions.has(id));
    const session = new Session(id);
    this.sessions.set(id, session);
    return session;
  }

  /** The connection is gone: park the session if it holds a task, else forget it. Idempotent. */
  detach(session: Session): void {
    session.live = false;
    if (!session.task) {
      this.forget(session);
      return;
    }
    this.sessions.set(session.id, session);
    if (this.parkTtl > 0 && !session.expiry) {
      session.expiry = setTimeout(() => {
        const task = session.task;
        if (session.live || !task) return;
        this.forget(session);
        this.expire(task);
      }, this.parkTtl * 1000);
      session.expiry.unref();
    }
  }

  /** Remove a session and its expiry timer (its task, if any, is the caller's). */
  private forget(session: Session): void {
    clearTimeout(session.expiry);
    session.expiry = undefined;
    session.task = undefined;
    this.sessions.delete(session.id);
  }

  /** Forget a session entirely (after `bye`). */
  drop(session: Session): void {
    session.live = false;
    this.forget(session);
  }

  /** `hello {session_id}`: make the connection that session. Own id → no change. */
  resume(current: Session, id: string): Session {
    if (id === current.id) return current;
    const target = this.sessions.get(id);
    if (!target) throw new RpcError(ErrorCode.InvalidRequest, `unknown session: '${id}'`);
    if (target.live) throw new RpcError(ErrorCode.InvalidRequest, `session '${id}' has a live connection`);
    this.detach(current);
    clearTimeout(target.expiry);
    target.expiry = undefined;
    target.live = true;
    return target;
  }

  parked(): Session[] {
    return [...this.sessions.values()].filter((s) => !s.live && s.task);
  }

  /**
   * A session without a task asks to grade: take over the only parked task. With none or several,
   * a `-32600` error says what to do.
   */
  adopt(current: Session): RunningTask {
    const parked = this.parked();
    if (parked.length === 0) throw new RpcError(ErrorCode.InvalidRequest, "no task in progress");
    if (parked.length > 1) {
      const ids = parked.map((s) => s.id).join(", ");
      throw new RpcError(
        ErrorCode.InvalidRequest,
        `no task in progress on this session and ${parked.length} parked sessions hold tasks (${ids}); ` +
          `resume one with hello {"session_id": "<id>"} first`,
      );
    }
    const source = parked[0]!;
    const task = source.task!;
    this.forget(source);
    current.task = task;
    return task;
  }

  /** Every task, live or parked (for shutdown). */
  takeAllTasks(): RunningTask[] {
    const tasks: RunningTask[] = [];
    for (const session of [...this.sessions.values()]) {
      if (session.task) tasks.push(session.task);
      this.forget(session);
    }
    return tasks;
  }

  get size(): number {
    return this.sessions.size;
  }
}
