// Noticing that a starting container died: one engine event stream shared by every container being watched.
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { inspectContainer } from "./containers.ts";
import type { EngineClient } from "./engine-client.ts";

/** Seconds between inspections, the safety net for an event missed (or a stream that broke). */
const INSPECT_INTERVAL = 2;
const MAX_EVENT_BYTES = 1024 * 1024;

interface EngineEvent {
  status?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * Podman's `/containers/{id}/wait` polls the container's state in a busy loop (most of a CPU per waiting
 * container), so deaths are taken from `/events` instead: one stream per engine while anything is watched,
 * opened before the container starts, so a container that dies at once is still seen.
 */
export class ExitEvents {
  private readonly engine: EngineClient;
  private readonly watchers = new Map<string, (code: number) => void>();
  private stream: Promise<IncomingMessage | undefined> | undefined;

  constructor(engine: EngineClient) {
    this.engine = engine;
  }

  /** Start watching `id` (before starting it): `exited` resolves with its exit code; call `stop` when done. */
  async watch(id: string): Promise<{ exited: Promise<number>; stop: () => void }> {
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => {
      resolveExit = resolve;
    });
    let stopped = false;
    this.watchers.set(id, (code) => {
      if (!stopped) resolveExit(code);
    });
    await this.subscribe();
    void this.inspectUntilStopped(id, () => stopped, resolveExit);
    return {
      exited,
      stop: () => {
        stopped = true;
        this.watchers.delete(id);
        if (this.watchers.size === 0) this.unsubscribe();
      },
    };
  }

  /** The slow safety net: an inspection every few seconds until stopped. */
  private async inspectUntilStopped(id: string, stopped: () => boolean, exit: (code: number) => void) {
    while (!stopped()) {
      await sleep(INSPECT_INTERVAL * 1000, undefined, { ref: false });
      if (stopped()) return;
      const info = await inspectContainer(this.engine, id, "").catch(() => undefined);
      if (info && !info.state.Running && info.state.Status !== "created") exit(info.state.ExitCode);
    }
  }

  private async subscribe(): Promise<void> {
    if (!this.stream) {
      const opened: Promise<IncomingMessage | undefined> = this.engine
        .stream({ path: "/events", query: { filters: JSON.stringify({ type: ["container"] }) } })
        .then(
          (res) => {
            this.read(res, opened);
            return res;
          },
          // No stream: the inspections still notice deaths, only later.
          () => undefined,
        );
      this.stream = opened;
    }
    await this.stream;
  }

  private unsubscribe(): void {
    const stream = this.stream;
    this.stream = undefined;
    void stream?.then((res) => res?.destroy());
  }

  private read(res: IncomingMessage, opened: Promise<IncomingMessage | undefined>): void {
    let pending = "";
    res.setEncoding("utf8");
    res.on("data", (text: string) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (pending.length > MAX_EVENT_BYTES) pending = "";
      for (const line of lines) this.dispatch(line);
    });
    res.on("error", () => {});
    // A stream that broke is reopened by the next watch; until then the inspections cover.
    res.on("close", () => {
      if (this.stream === opened) this.stream = undefined;
    });
  }

  private dispatch(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    if ((event.Action ?? event.status) !== "die") return;
    const id = event.Actor?.ID ?? event.id ?? "";
    const code = Number(event.Actor?.Attributes?.exitCode ?? Number.NaN);
    this.watchers.get(id)?.(Number.isInteger(code) ? code : -1);
  }
}
