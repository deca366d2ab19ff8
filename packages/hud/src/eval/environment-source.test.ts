// environmentSourceFor: the environment behind a task source, without the user naming env.ts.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentSourceFor } from "./environment-source.ts";

describe("environmentSourceFor", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hud-envsrc-"));
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "env.ts"), 'export const env = new Environment({ name: "x" });\n');
    await writeFile(join(dir, "tasks.ts"), 'import { t } from "./env.ts";\nexport const tasks = [t({})];\n');
    await writeFile(join(dir, "tasks.jsonl"), "{}\n");
    await writeFile(join(dir, "all-in-one.mjs"), "export const env = new Environment ({ name: 'y' });\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serves a directory as is and a declaring file itself", async () => {
    expect(await environmentSourceFor(join(dir, "sub"))).toBe(join(dir, "sub"));
    expect(await environmentSourceFor(join(dir, "env.ts"))).toBe(join(dir, "env.ts"));
    expect(await environmentSourceFor(join(dir, "all-in-one.mjs"))).toBe(join(dir, "all-in-one.mjs"));
  });

  it("serves rows-only files by their directory", async () => {
    expect(await environmentSourceFor(join(dir, "tasks.ts"))).toBe(dir);
    expect(await environmentSourceFor(join(dir, "tasks.jsonl"))).toBe(dir);
  });
});
