// Task.run: a taskset of one. Installed here because rows live in environment/, which must not import eval/.
import { Task } from "../environment/task.ts";
import type { Agent } from "./agent.ts";
import type { Job } from "./job.ts";
import { type RunOptions, runTasks } from "./schedule.ts";

declare module "../environment/task.ts" {
  interface Task {
    /** Run this row with `agent` (a taskset of one): see Taskset.run. */
    run(agent: Agent, options?: RunOptions): Promise<Job>;
  }
}

Object.defineProperty(Task.prototype, "run", {
  value: function run(this: Task, agent: Agent, options: RunOptions = {}): Promise<Job> {
    return runTasks(this.slug, [this], agent, options);
  },
  writable: true,
  configurable: true,
});
