// A project outside the repository with node_modules/hud pointing at the built package: import and serve, zero config.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../src/client/client.ts";
import { REPO, startServe } from "./support/hud-process.ts";

const PACKAGE = resolve(REPO, "packages/hud");

const ENV_TS = `import { Environment, type PromptFrame } from "hud";

export const env = new Environment({ name: "consumer", version: "1.2.3" });

const args = { type: "object", properties: { n: { type: "number" } }, required: ["n"] } as const;

env.template({ id: "double", description: "Double a number", args }, async function* ({ n }: { n: number }) {
  const answer = yield \`What is \${n} times two?\`;
  yield Number(answer) === n * 2 ? 1 : 0;
});

export type Unused = PromptFrame;
`;

describe("a consumer project", () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(join(PACKAGE, "dist/cli/bin.js"))) {
      execFileSync("npm", ["run", "build"], { cwd: PACKAGE, stdio: "ignore", timeout: 180_000 });
    }
    dir = await mkdtemp(join(tmpdir(), "hud-consumer-"));
    await mkdir(join(dir, "node_modules/.bin"), { recursive: true });
    await symlink(PACKAGE, join(dir, "node_modules/hud"), "dir");
    await symlink("../hud/dist/cli/bin.js", join(dir, "node_modules/.bin/hud"));
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({ name: "consumer", type: "module", private: true }),
    );
    await writeFile(join(dir, "env.ts"), ENV_TS);
  }, 200_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("imports Environment from 'hud' and serves env.ts with `hud serve` and no arguments", async () => {
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
    await using server = await startServe(["--port", "0"], {
      cwd: dir,
      command: [join(dir, "node_modules/.bin/hud")],
      env,
    });
    expect(server.output()).toContain("serving consumer 1.2.3");
    await using client = await connect(server.url, { readyTimeout: 10 });
    expect(client.env).toEqual({ name: "consumer", version: "1.2.3" });
    const [entry] = await client.listTasks();
    expect(entry).toMatchObject({ id: "double", description: "Double a number", args: { required: ["n"] } });
    expect((await client.startTask("double", { n: 21 })).prompt).toBe("What is 21 times two?");
    expect(await client.grade({ answer: "42" })).toEqual({ score: 1 });
  });
});
