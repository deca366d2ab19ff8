// DockerRuntime: each lease is a fresh container of an image serving the control channel, published on loopback.
import type { RuntimeConfig, Task } from "../../environment/task.ts";
import { HudError } from "../../protocol/errors.ts";
import { CallablePlacement } from "../callable-placement.ts";
import { checkSeconds } from "../host-config.ts";
import type { Lease } from "../placement.ts";
import { type ContainerPlan, containerSpec, planContainer } from "./container-spec.ts";
import {
  type ContainerSpec,
  createContainer,
  engineVersion,
  imageExists,
  inspectContainer,
  lastLogLines,
  removeContainer,
  startContainer,
} from "./containers.ts";
import { EngineClient, EngineError, engineAddress } from "./engine-client.ts";
import { ExitEvents } from "./exit-events.ts";
import { joinLogLines } from "./log-lines.ts";
import { waitUntilServing } from "./readiness.ts";
import { trackContainer, trackCreation, untrackContainer } from "./reaper.ts";
import { parseRunArgs, type RunArgsSpec } from "./run-args.ts";

export interface DockerRuntimeOptions {
  /** The control port the image serves on inside the container (default 8765). */
  port?: number;
  /** `docker run` flags (e.g. `["-e", "X=1", "-v", "/data:/data:ro"]`); the common ones are supported. */
  runArgs?: string[];
  /** Environment variables for the container (the runner's own are never passed in). */
  env?: Record<string, string>;
  /** Defaults for every row (image, resources, limits); a row's own runtime_config wins. */
  runtimeConfig?: RuntimeConfig;
  /** Seconds to wait for the container to serve (default 120; a row's `limits.startup_timeout_s` wins). */
  readyTimeout?: number;
  /** Engine address as in `DOCKER_HOST` (default: `DOCKER_HOST`, else Docker's or Podman's default socket). */
  dockerHost?: string;
  /** Where warnings go (default: a process warning). */
  onWarning?: (message: string) => void;
}

/** Log lines quoted in errors. */
const LOG_LINES = 20;
const PORT_TAKEN = /address already in use/i;

export class DockerRuntime extends CallablePlacement {
  /** The image of rows that name none (undefined: every row must set `runtime_config.image`). */
  readonly image: string | undefined;
  readonly port: number;
  private readonly engine: EngineClient;
  private readonly exits: ExitEvents;
  private readonly runArgs: RunArgsSpec;
  private readonly env: Record<string, string>;
  private readonly config: RuntimeConfig | undefined;
  private readonly readyTimeout: number;
  private readonly warn: (message: string) => void;
  private warnedStorage = false;
  private gpuSupport: Promise<string | undefined> | undefined;

  constructor(image?: string, options: DockerRuntimeOptions = {}) {
    super();
    if (image !== undefined && (typeof image !== "string" || image === ""))
      throw new HudError("DockerRuntime image must be a non-empty image name (e.g. 'my-env:latest')");
    const port = options.port ?? 8765;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new HudError(
        `DockerRuntime port must be a TCP port from 1 to 65535 (got ${String(options.port)})`,
      );
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (typeof value !== "string")
        throw new HudError(`DockerRuntime env.${name} must be a string (got ${typeof value})`);
    }
    this.image = image;
    this.port = port;
    this.runArgs = parseRunArgs(options.runArgs ?? []);
    this.env = { ...options.env };
    this.config = options.runtimeConfig;
    this.readyTimeout = checkSeconds(options.readyTimeout, "DockerRuntime readyTimeout", 120);
    this.engine = new EngineClient(engineAddress(options.dockerHost ?? process.env.DOCKER_HOST));
    this.exits = new ExitEvents(this.engine);
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message));
  }

  protected override async acquire(task: Task): Promise<Lease> {
    const plan = planContainer(task, this.config, this.image);
    await this.checkRequests(task, plan);
    const timeout = plan.startupTimeout ?? this.readyTimeout;
    const deadline = Date.now() + timeout * 1000;
    const spec = containerSpec({
      plan,
      port: this.port,
      runArgs: this.runArgs,
      env: this.env,
      slug: task.slug,
    });
    const { container, exited, stopWatching } = await this.launch(spec);
    try {
      const hostPort = await this.serving(container, exited, timeout, deadline);
      return new DockerLease(container, `tcp://127.0.0.1:${hostPort}`, plan.runTimeout);
    } catch (error) {
      await container.remove().catch(() => {});
      throw error;
    } finally {
      stopWatching();
    }
  }

  /**
   * Create and start. The engine picks the host port when creating and binds it when starting; a port taken
   * in between (by another container starting, or any outgoing connection) fails the start, so that retries.
   */
  private async launch(spec: ContainerSpec) {
    for (let attempt = 1; ; attempt++) {
      const created = trackCreation(this.engine.address);
      const id = await createContainer(this.engine, spec)
        .catch(async (error: unknown) => {
          if (
            error instanceof EngineError &&
            error.status === 404 &&
            !(await imageExists(this.engine, spec.Image))
          )
            throw new HudError(
              `image '${spec.Image}' not found: build it with \`hud build -t ${spec.Image}\``,
            );
          throw error;
        })
        .finally(created);
      trackContainer(id, this.engine.address);
      const container = new Container(this.engine, id, spec.Image);
      const watch = await this.exits.watch(id);
      try {
        await startContainer(this.engine, id);
        return { container, exited: watch.exited, stopWatching: watch.stop };
      } catch (error) {
        watch.stop();
        const failure =
          error instanceof EngineError
            ? await container.failure(`could not start (${error.reason.replaceAll("\n", " ")})`)
            : error;
        await container.remove().catch(() => {});
        if (!(error instanceof EngineError && PORT_TAKEN.test(error.reason) && attempt < 3)) throw failure;
      }
    }
  }

  /** Wait until the container answers on its published port; its exit or the deadline fail with its logs. */
  private async serving(
    container: Container,
    exited: Promise<number>,
    timeout: number,
    deadline: number,
  ): Promise<number> {
    const { state, hostPort } = await inspectContainer(this.engine, container.id, `${this.port}/tcp`);
    const exitedEarly = state.Running ? exited : Promise.resolve(state.ExitCode);
    if (hostPort === "") {
      if (!state.Running) throw await container.failure(`exited with code ${state.ExitCode} before serving`);
      throw await container.failure(`published no host port for ${this.port}/tcp`);
    }
    const outcome = await waitUntilServing("127.0.0.1", Number(hostPort), deadline, exitedEarly);
    if (outcome.kind === "serving") return Number(hostPort);
    if (outcome.kind === "exited") {
      const after = await inspectContainer(this.engine, container.id, "").catch(() => undefined);
      const oom = after?.state.OOMKilled ? " (out of memory)" : "";
      const code = outcome.code === -1 && after ? after.state.ExitCode : outcome.code;
      throw await container.failure(`exited with code ${code}${oom} before serving`);
    }
    throw await container.failure(`did not serve within ${timeout}s`);
  }

  /** Storage cannot be capped through the engine API portably (warned once); GPUs need an engine that passes them. */
  private async checkRequests(task: Task, plan: ContainerPlan): Promise<void> {
    if (plan.storageMb !== undefined && !this.warnedStorage) {
      this.warnedStorage = true;
      this.warn(
        "DockerRuntime does not enforce runtime_config.resources.storage_mb; the container gets the engine's disk",
      );
    }
    if (plan.gpus === undefined) return;
    this.gpuSupport ??= engineVersion(this.engine).then((version) => {
      if (version.Components?.some((c) => /podman/i.test(c.Name)))
        return "Podman's Docker API does not pass GPU requests (DeviceRequests); use Docker with the NVIDIA container toolkit";
      return undefined;
    });
    const refusal = await this.gpuSupport;
    if (refusal) throw new HudError(`task '${task.slug}' asks for ${plan.gpus} GPU(s), but ${refusal}`);
  }
}

/** A created container: its removal (once) and its failure messages. */
class Container {
  readonly id: string;
  readonly image: string;
  private readonly engine: EngineClient;
  private removing: Promise<void> | undefined;

  constructor(engine: EngineClient, id: string, image: string) {
    this.engine = engine;
    this.id = id;
    this.image = image;
  }

  /** Force-remove; concurrent calls share one removal, and a failed one can be tried again. */
  remove(): Promise<void> {
    this.removing ??= removeContainer(this.engine, this.id).then(
      () => untrackContainer(this.id),
      (error: unknown) => {
        this.removing = undefined;
        throw error;
      },
    );
    return this.removing;
  }

  /** "container <short id> of <image> <what>: <last log lines>", read before the container is removed. */
  async failure(what: string): Promise<HudError> {
    const lines = await lastLogLines(this.engine, this.id, LOG_LINES);
    return new HudError(`container ${this.id.slice(0, 12)} of ${this.image} ${what}: ${joinLogLines(lines)}`);
  }
}

/** A serving container; disposing removes it, and `limits.run_timeout_s` removes it early. */
class DockerLease implements Lease {
  readonly url: string;
  private readonly container: Container;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(container: Container, url: string, runTimeout: number | undefined) {
    this.container = container;
    this.url = url;
    if (runTimeout !== undefined) {
      // A forgotten lease must not keep the runner alive for this; the exit hook still removes the container.
      this.timer = setTimeout(() => void this.container.remove().catch(() => {}), runTimeout * 1000).unref();
    }
  }

  /** The container's id. */
  get containerId(): string {
    return this.container.id;
  }

  [Symbol.asyncDispose](): Promise<void> {
    clearTimeout(this.timer);
    return this.container.remove();
  }
}
