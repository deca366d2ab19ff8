// Schema migrations: applied in order once, all or nothing, and a newer database is refused with a clear error.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HudError } from "../protocol/errors.ts";
import { LocalStore } from "./local-store.ts";
import { MIGRATIONS, type Migration, migrate, SCHEMA_VERSION } from "./migrations.ts";

let dir: string;
let db: DatabaseSync;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hud-migrate-"));
  db = new DatabaseSync(join(dir, "hud.db"));
});

afterEach(async () => {
  if (db.isOpen) db.close();
  await rm(dir, { recursive: true, force: true });
});

const version = () => (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
const tables = () =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe("migrate", () => {
  it("numbers migrations 1, 2, 3… with no gaps", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it("creates the schema once and is a no-op on an up-to-date database", () => {
    migrate(db, "test.db");
    expect(version()).toBe(SCHEMA_VERSION);
    expect(tables()).toEqual(["jobs", "steps", "traces"]);
    migrate(db, "test.db");
    expect(version()).toBe(SCHEMA_VERSION);
  });

  it("applies only the migrations after the current version", () => {
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: "notes", sql: "CREATE TABLE notes (text TEXT)" },
    ];
    migrate(db, "test.db");
    migrate(db, "test.db", extra);
    expect(version()).toBe(SCHEMA_VERSION + 1);
    expect(tables()).toContain("notes");
  });

  it("rolls a failing migration back entirely", () => {
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: "bad", sql: "CREATE TABLE ok (x); CREATE TABLE oops (" },
    ];
    expect(() => migrate(db, "test.db", broken)).toThrow(/cannot migrate the local store test.db/);
    expect(version()).toBe(0);
    expect(tables()).toEqual([]);
  });

  it("refuses a database written by a newer hud", () => {
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    let error: unknown;
    try {
      LocalStore.open(dir).close();
    } catch (e) {
      error = e;
    }
    expect(HudError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `schema version ${SCHEMA_VERSION + 5}, newer than this hud understands \\(${SCHEMA_VERSION}\\): upgrade hud`,
      ),
    );
  });
});
