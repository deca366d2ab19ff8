// A started task: the template generator suspended at its prompt, waiting to be graded, solved or cancelled.
import { ErrorCode, errorMessage, RpcError } from "../../protocol/errors.ts";
import type { JsonObject } from "../../protocol/jsonrpc.ts";
import type { GradeFrame, PromptFrame } from "../../protocol/methods.ts";
import { Answer } from "../answer.ts";
import { runInEnvironment } from "../current.ts";
import type { Environment } from "../environment.ts";
import type { Template, TemplateGenerator } from "../template.ts";
import { toGradeFrame, toPromptFrame } from "./frames.ts";

function fromTemplate(error: unknown): RpcError {
  return RpcError.is(error) ? error : new RpcError(ErrorCode.ServerError, errorMessage(error));
}

export class RunningTask {
  readonly template: Template<unknown>;
  readonly args: unknown;
  readonly prompt: PromptFrame;
  private readonly env: Environment;
  private readonly generator: TemplateGenerator;
  private readonly controller: AbortController;
  private finished = false;

  private constructor(
    env: Environment,
    template: Template<unknown>,
    args: unknown,
    generator: TemplateGenerator,
    prompt: PromptFrame,
    controller: AbortController,
  ) {
    this.env = env;
    this.template = template;
    this.args = args;
    this.generator = generator;
    this.prompt = prompt;
    this.controller = controller;
  }

  get id(): string {
    return this.template.id;
  }

  /** Validate args and advance the generator to its first yield. Nothing is left running on failure. */
  static async start(env: Environment, id: string, rawArgs: JsonObject): Promise<RunningTask> {
    const template = env.templates.get(id) as Template<unknown> | undefined;
    if (!template) throw new RpcError(ErrorCode.InvalidParams, `unknown task: '${id}'`);
    const args = await template.parseArgs(rawArgs);
    const controller = new AbortController();
    let generator: TemplateGenerator;
    let first: IteratorResult<unknown>;
    try {
      // Every step runs as this environment's task code (graders find its workspaces): a generator resumes in the
      // context of whoever calls next(), so each call is wrapped, not just the first.
      generator = runInEnvironment(env, () => template.body(args, { env, signal: controller.signal }));
      if (typeof generator?.next !== "function") {
        throw new Error(`task '${id}': the template body must be a generator function (async function*)`);
      }
      const started = generator;
      first = await runInEnvironment(env, () => started.next());
    } catch (error) {
      throw fromTemplate(error);
    }
    if (first.done) {
      throw new RpcError(ErrorCode.ServerError, `task '${id}' ended before yielding a prompt`);
    }
    let prompt: PromptFrame;
    try {
      prompt = toPromptFrame(id, first.value);
    } catch (error) {
      const started = generator;
      await settle(runInEnvironment(env, () => started.return(undefined)));
      throw error;
    }
    return new RunningTask(env, template, args, generator, prompt, controller);
  }

  /** Send the answer in and turn the second yield into the grade frame; the generator is then closed. */
  async grade(params: JsonObject): Promise<GradeFrame> {
    if (this.finished) throw new RpcError(ErrorCode.InvalidRequest, "no task in progress");
    this.finished = true;
    let answer: unknown = params.answer ?? null;
    if (this.template.returnsSchema) {
      try {
        answer = await Answer.parse(params.answer ?? null, this.template.returnsSchema);
      } catch (error) {
        // The task will never be graded: run its cleanup now rather than leave it suspended.
        await this.close();
        throw new RpcError(
          ErrorCode.ServerError,
          `task '${this.id}': validating the answer failed: ${errorMessage(error)}`,
        );
      }
    }
    let step: IteratorResult<unknown>;
    try {
      step = await runInEnvironment(this.env, () => this.generator.next(answer));
    } catch (error) {
      throw fromTemplate(error);
    }
    if (step.done) return toGradeFrame(this.id, step.value === undefined ? 0 : step.value);
    try {
      return toGradeFrame(this.id, step.value);
    } finally {
      await this.close();
    }
  }

  /** Run the template's reference solution against the live task. */
  async solve(): Promise<{ answer: unknown }> {
    const solution = this.template.solution;
    if (!solution) throw new RpcError(ErrorCode.MethodNotFound, `no reference solution for '${this.id}'`);
    try {
      const answer = await runInEnvironment(this.env, () =>
        solution(this.args, { env: this.env, prompt: this.prompt, signal: this.controller.signal }),
      );
      return { answer: answer ?? null };
    } catch (error) {
      throw new RpcError(ErrorCode.ServerError, `solution for '${this.id}' failed: ${errorMessage(error)}`);
    }
  }

  /** Tell the template and its solution to stop (their `signal` fires); the generator is not resumed. */
  abort(reason: string): void {
    this.controller.abort(new Error(reason));
  }

  /** Cancel: abort the solution signal and run the generator's cleanup (`finally` blocks). */
  async cancel(): Promise<void> {
    this.controller.abort();
    if (this.finished) return;
    this.finished = true;
    await this.close();
  }

  private async close(): Promise<void> {
    try {
      await runInEnvironment(this.env, () => this.generator.return(undefined));
    } catch (error) {
      process.emitWarning(`task '${this.id}' cleanup failed: ${errorMessage(error)}`);
    }
  }
}

async function settle(value: unknown): Promise<void> {
  try {
    await value;
  } catch {
    // cleanup of a task that already failed: its error is the one reported
  }
}
