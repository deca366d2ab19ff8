import { extname } from "node:path";
import { Task, type TaskInit, type TaskRow } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import type { Agent } from "./agent.ts";
import { writeFileAtomically } from "./atomic-write.ts";
import type { Job } from "./job.ts";
import { type RunOptions, runTasks } from "./schedule.ts";
import { readTaskSource, TASKSET } from "./task-source.ts";

export interface TasksetOptions {
  /** The platform taskset id, when the rows came from one. */
  tasksetId?: string;
}

/** Slugs to keep or drop, or a predicate over tasks. */
export type TaskSelector = string | Iterable<string> | ((task: Task) => boolean);

function toTask(value: Task | TaskInit, index: number): Task {
  return Task.is(value) ? value : Task.fromJSON(value, `tasks[${index}]`);
}

function matcher(selector: TaskSelector): (task: Task) => boolean {
  if (typeof selector === "function") return selector;
  const slugs = new Set(typeof selector === "string" ? [selector] : selector);
  return (task) => slugs.has(task.slug);
}

export class Taskset implements Iterable<Task> {
  readonly [TASKSET] = true;
  readonly name: string;
  readonly tasksetId: string | undefined;
  private readonly bySlug: ReadonlyMap<string, Task>;

  /** Rows keep their order; two rows with one slug are an error naming every duplicated slug. */
  constructor(name: string, tasks: Iterable<Task | TaskInit>, options: TasksetOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError("new Taskset(name, tasks): 'name' must be a non-empty string");
    }
    if (typeof (tasks as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`new Taskset('${name}', tasks): 'tasks' must be an array or iterable of tasks`);
    }
    const bySlug = new Map<string, Task>();
    const duplicates = new Set<string>();
    let index = 0;
    for (const value of tasks) {
      const task = toTask(value, index++);
      if (bySlug.has(task.slug)) duplicates.add(task.slug);
      else bySlug.set(task.slug, task);
    }
    if (duplicates.size > 0) throw new HudError(`duplicate task slugs: ${[...duplicates].join(", ")}`);
    this.name = name;
    this.tasksetId = options.tasksetId;
    this.bySlug = bySlug;
  }

  /** Brand check that works across copies of the package. */
  static is(value: unknown): value is Taskset {
    return typeof value === "object" && value !== null && (value as { [TASKSET]?: true })[TASKSET] === true;
  }

  /**
   * Load a `.ts`/`.mts`/`.js`/`.mjs` module (its exported Tasks, Tasksets and arrays of Tasks), a `.json`
   * (one row or an array) or `.jsonl` file, or a directory of modules. The name defaults to the file stem.
   */
  static async fromFile(path: string, options: { name?: string } = {}): Promise<Taskset> {
    const source = await readTaskSource(path);
    return new Taskset(options.name ?? source.name, source.tasks);
  }

  get length(): number {
    return this.bySlug.size;
  }

  [Symbol.iterator](): Iterator<Task> {
    return this.bySlug.values();
  }

  /** The rows, in order. */
  get tasks(): Task[] {
    return [...this.bySlug.values()];
  }

  get(slug: string): Task | undefined {
    return this.bySlug.get(slug);
  }

  /** The rows whose slug is given (or that the predicate keeps), in the original order. */
  filter(selector: TaskSelector): Taskset {
    const keep = matcher(selector);
    return this.derive(this.tasks.filter(keep));
  }

  /** The rows whose slug is not given (or that the predicate does not match), in the original order. */
  exclude(selector: TaskSelector): Taskset {
    const drop = matcher(selector);
    return this.derive(this.tasks.filter((task) => !drop(task)));
  }

  /** Every environment name the rows need, verifiers' included, sorted. */
  environmentNames(): string[] {
    const names = new Set(
      this.tasks.flatMap((task) => (task.verifier ? [task.env, task.verifier.env] : [task.env])),
    );
    return [...names].sort();
  }

  toJSON(): TaskRow[] {
    return this.tasks.map((task) => task.toJSON());
  }

  /** Write `.json` (an indented array) or `.jsonl` (one row per line), atomically, creating parent dirs. */
  /** Run every row with `agent` (see RunOptions): one Job, failures isolated per rollout. */
  run(agent: Agent, options: RunOptions = {}): Promise<Job> {
    return runTasks(this.name, this.tasks, agent, options);
  }

  async toFile(path: string): Promise<void> {
    const ext = extname(path).toLowerCase();
    const rows = this.toJSON();
    let text: string;
    if (ext === ".json") text = `${JSON.stringify(rows, null, 2)}\n`;
    else if (ext === ".jsonl") text = rows.map((row) => `${JSON.stringify(row)}\n`).join("");
    else
      throw new HudError(
        `${path}: unsupported taskset export format: ${ext || "(none)"}; use .json or .jsonl`,
      );
    await writeFileAtomically(path, text);
  }

  private derive(tasks: Task[]): Taskset {
    return new Taskset(this.name, tasks, { tasksetId: this.tasksetId });
  }
}
