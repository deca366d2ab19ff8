// Every example task is solvable: its reference solution, submitted through the control channel, scores 1.
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { connect, LocalRuntime, Taskset } from "hud";
import { describe, expect, it } from "vitest";

const EXAMPLES = resolve(import.meta.dirname, "../../../examples");
const names = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe.each(names)("examples/%s", (name) => {
  it("scores 1 on every task with the template's reference solution", async () => {
    const dir = resolve(EXAMPLES, name);
    const tasks = await Taskset.fromFile(resolve(dir, "tasks.ts"));
    expect(tasks.length).toBeGreaterThan(0);
    const runtime = new LocalRuntime(dir);
    for (const task of tasks) {
      await using lease = await runtime(task);
      await using client = await connect(lease.url);
      await client.startTask(task.id, task.args as Record<string, unknown>);
      const answer = await client.solve();
      expect(await client.grade({ answer }), task.slug).toMatchObject({ score: 1 });
    }
  });
});
