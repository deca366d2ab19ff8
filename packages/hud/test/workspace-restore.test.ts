// Workspace snapshot and restore(): paths put back as they were at start, as the agent's files, without following
// what the agent planted, and the one-line refusals (paths outside the root, no snapshot).
import { existsSync } from "node:fs";
import { lstat, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { Workspace, type WorkspaceOptions } from "../src/environment/workspace/workspace.ts";
import { scratch } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

/** A started workspace over a root holding tests/ (two files, one nested) and src/. */
async function project(options: WorkspaceOptions = {}): Promise<{ ws: Workspace; root: string }> {
  const root = await scratch(defer, "hud-ws-restore-");
  await mkdir(join(root, "tests/unit"), { recursive: true });
  await mkdir(join(root, "src"));
  await writeFile(join(root, "tests/add.test.js"), "original test\n");
  await writeFile(join(root, "tests/unit/data.txt"), "original data\n");
  await writeFile(join(root, "src/add.js"), "original code\n");
  const ws = new Workspace(root, options);
  defer(() => ws.stop());
  await ws.start();
  return { ws, root };
}

/** Run `command` as the agent, which must succeed. */
async function agent(ws: Workspace, command: string): Promise<void> {
  const result = await ws.exec(command, { timeout: 30 });
  expect(result.exitCode, result.stderr).toBe(0);
}

describe("workspace restore", () => {
  it("puts listed paths back as they were at start, and leaves the rest alone", async () => {
    const { ws, root } = await project();
    await agent(
      ws,
      [
        "echo 'process.exit(0)' > tests/add.test.js",
        "rm tests/unit/data.txt",
        "echo extra > tests/extra.test.js",
        "mkdir generated && echo new > generated/out.txt",
        "echo 'fixed code' > src/add.js",
      ].join(" && "),
    );
    await ws.restore(["tests/", "generated", "./tests/unit"]);
    expect(await readFile(join(root, "tests/add.test.js"), "utf8")).toBe("original test\n");
    expect(await readFile(join(root, "tests/unit/data.txt"), "utf8")).toBe("original data\n");
    expect(existsSync(join(root, "tests/extra.test.js"))).toBe(false);
    expect(existsSync(join(root, "generated"))).toBe(false);
    expect(await readFile(join(root, "src/add.js"), "utf8")).toBe("fixed code\n");
    // Restored files are the agent's, as start() made the root: it can change them again.
    const agentUid = (await stat(join(root, "src/add.js"))).uid;
    expect((await stat(join(root, "tests/add.test.js"))).uid).toBe(agentUid);
    expect((await stat(join(root, "tests/unit"))).uid).toBe(agentUid);
    await agent(ws, "echo again >> tests/add.test.js && rm -r tests/unit");
  });

  it("restores without isolation too, in the real root", async () => {
    const { ws, root } = await project({ isolation: "none" });
    await agent(ws, "echo 'process.exit(0)' > tests/add.test.js && rm -r tests/unit");
    await ws.restore(["tests"]);
    expect(await readFile(join(root, "tests/add.test.js"), "utf8")).toBe("original test\n");
    expect(await readFile(join(root, "tests/unit/data.txt"), "utf8")).toBe("original data\n");
  });

  it("does not follow a symlink the agent put in place of a restored path's directory", async () => {
    const { ws, root } = await project();
    // A host directory the agent points at: a privileged restore on the host would delete and write through it.
    const outside = await scratch(defer, "hud-ws-outside-");
    await mkdir(join(outside, "unit"));
    await writeFile(join(outside, "unit/data.txt"), "host file\n");
    await agent(ws, `rm -r tests && ln -s ${outside} tests`);
    expect((await lstat(join(root, "tests"))).isSymbolicLink()).toBe(true);
    await ws.restore(["tests/unit/data.txt"]);
    expect((await lstat(join(root, "tests"))).isDirectory()).toBe(true);
    expect(await readFile(join(root, "tests/unit/data.txt"), "utf8")).toBe("original data\n");
    expect(await readFile(join(outside, "unit/data.txt"), "utf8")).toBe("host file\n");
  });

  it.runIf(process.getuid?.() === 0)("says why when the agent cannot restore a path", async () => {
    const { ws, root } = await project();
    // Written by the host as root after start, and not claimed: the agent cannot delete it, so neither can restore.
    await mkdir(join(root, "locked"));
    await writeFile(join(root, "locked/file"), "root's\n");
    await expect(ws.restore(["locked", "tests"])).rejects.toThrow(
      /^workspace\.restore: cannot restore 'locked', 'tests': rm: cannot remove 'locked\/file': Permission denied$/,
    );
  });

  it("keeps the snapshot outside the root, next to the keys, and removes it at stop", async () => {
    const { ws, root } = await project();
    const snapshot = join(dirname(ws.clientKeyPath!), "snapshot");
    expect(snapshot.startsWith(root)).toBe(false);
    expect(await readFile(join(snapshot, "tests/add.test.js"), "utf8")).toBe("original test\n");
    const agentSees = await ws.exec(`ls ${snapshot}`, { timeout: 30 });
    expect(agentSees.exitCode).not.toBe(0);
    await ws.stop();
    expect(existsSync(snapshot)).toBe(false);
  });

  it("refuses paths outside the root, and the root itself, in one line", async () => {
    const { ws } = await project();
    for (const path of ["../x", "/etc", "tests/../../x"]) {
      await expect(ws.restore([path]), path).rejects.toThrow(
        /^workspace\.restore: '.*' is not inside the workspace; give paths relative to its root/,
      );
    }
    await expect(ws.restore(["."])).rejects.toThrow(/is the whole root/);
    await expect(ws.restore([""])).rejects.toThrow(/non-empty strings/);
  });

  it("with snapshot: false, starts without a copy and refuses restore", async () => {
    const { ws } = await project({ snapshot: false });
    expect(existsSync(join(dirname(ws.clientKeyPath!), "snapshot"))).toBe(false);
    await expect(ws.restore(["tests/"])).rejects.toThrow(
      "workspace.restore: this workspace keeps no snapshot (it was created with snapshot: false); remove that option",
    );
  });
});
