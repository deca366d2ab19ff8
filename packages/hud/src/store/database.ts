// The store's SQLite connection: WAL, busy timeout, foreign keys, migrations, and cached prepared statements.
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { errorMessage, HudError } from "../protocol/errors.ts";
import { migrate } from "./migrations.ts";

/** Milliseconds a writer waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

export type SqlValue = SQLInputValue;

/** SQLITE_BUSY / SQLITE_LOCKED, directly or as the cause of a migration error. */
function isLocked(error: unknown): boolean {
  for (let e = error as { errcode?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const code = typeof e.errcode === "number" ? e.errcode & 0xff : undefined;
    if (code === 5 || code === 6) return true;
  }
  return false;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Block this thread for `ms` (the store is synchronous; this only runs while opening it). */
function sleepSync(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

export class Database {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.path = path;
    try {
      this.db = new DatabaseSync(path);
    } catch (error) {
      throw new HudError(`cannot open the local store ${path}: ${errorMessage(error)}`, { cause: error });
    }
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        // WAL + synchronous=NORMAL: every commit survives the process being killed (a power loss may lose the last few).
        this.db.exec(
          `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;`,
        );
        migrate(this.db, path);
        return;
      } catch (error) {
        // Processes opening a new store at once can meet switching it to WAL, where SQLite answers "locked"
        // at once instead of waiting (a deadlock it refuses to wait on): each step is safe to take again.
        if (isLocked(error) && Date.now() < deadline) {
          sleepSync(5 + Math.random() * 20);
          continue;
        }
        this.db.close();
        if (HudError.is(error)) throw error;
        throw new HudError(`cannot open the local store ${path}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** A prepared statement, prepared once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, ...params: SqlValue[]): number {
    return Number(this.statement(sql).run(...params).changes);
  }

  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  /** Run `body` in one immediate transaction (all or nothing). */
  transaction<T>(body: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.statements.clear();
    this.db.close();
  }
}
