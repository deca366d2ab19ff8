// The store's schema as an ordered list of migrations, tracked by PRAGMA user_version, applied in one transaction.
import type { DatabaseSync } from "node:sqlite";
import { HudError } from "../protocol/errors.ts";

export interface Migration {
  /** The user_version after this migration. Versions run 1, 2, 3… with no gaps. */
  version: number;
  description: string;
  sql: string;
}

const STATUS = "('running', 'completed', 'error', 'cancelled', 'interrupted')";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "jobs, traces and steps",
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        group_size INTEGER NOT NULL DEFAULT 1,
        taskset_id TEXT,
        status TEXT NOT NULL CHECK (status IN ${STATUS}),
        source TEXT,
        agent TEXT,
        model TEXT,
        config TEXT,
        planned INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        host TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      -- hud jobs: newest first
      CREATE INDEX jobs_by_created ON jobs (created_at);
      -- jobs whose process may have died
      CREATE INDEX jobs_running ON jobs (status) WHERE status = 'running';

      CREATE TABLE traces (
        trace_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        slug TEXT NOT NULL,
        task TEXT NOT NULL,
        repeat INTEGER NOT NULL DEFAULT 0,
        group_id TEXT,
        model TEXT,
        status TEXT NOT NULL CHECK (status IN ${STATUS}),
        stop_reason TEXT,
        reward REAL,
        counted INTEGER NOT NULL DEFAULT 0,
        grade TEXT,
        content TEXT,
        error TEXT,
        prompt TEXT,
        runtime TEXT,
        extra TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        llm_call_count INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        ended_at TEXT
      ) STRICT;
      -- a job's traces, its run count and reward (by status), and the in-flight ones to mark interrupted
      CREATE INDEX traces_by_job ON traces (job_id, status);

      CREATE TABLE steps (
        trace_id TEXT NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
        step_id INTEGER NOT NULL,
        source TEXT NOT NULL,
        payload TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        PRIMARY KEY (trace_id, step_id)
      ) STRICT;
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

function userVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/**
 * Bring the database up to `migrations`' last version. The version is read again inside an immediate
 * transaction, so two processes opening a fresh store at once migrate it once.
 */
export function migrate(
  db: DatabaseSync,
  where: string,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const check = (version: number) => {
    if (version > latest) {
      throw new HudError(
        `the local store ${where} has schema version ${version}, newer than this hud understands (${latest}): upgrade hud, or set HUD_HOME to another directory`,
      );
    }
  };
  const found = userVersion(db);
  check(found);
  if (found === latest) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    const current = userVersion(db);
    check(current);
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    if (HudError.is(error)) throw error;
    throw new HudError(`cannot migrate the local store ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
