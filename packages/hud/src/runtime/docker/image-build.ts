// Building an image through the engine API (`POST /build`), streaming the build's output, with labels — the
// Docker and Podman way, without a `docker` binary.
import { HudError } from "../../protocol/errors.ts";
import { buildContext } from "./build-context.ts";
import type { EngineClient } from "./engine-client.ts";
import { tarStream } from "./tar-stream.ts";

export interface ImageBuild {
  /** The context directory. */
  context: string;
  /** The Dockerfile, relative to the context. */
  dockerfile: string;
  tag: string;
  labels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  /** Each line of the build's output as it arrives. */
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
}

/** One JSON message of the build stream: output text, or the error that ended the build. */
interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Build `tag` from `context`; resolves with the image id, rejects with the build's own error line. */
export async function buildImage(engine: EngineClient, build: ImageBuild): Promise<string> {
  const entries = await buildContext(build.context);
  if (!entries.some((e) => e.path === build.dockerfile)) {
    throw new HudError(`no ${build.dockerfile} in ${build.context}: write one, or name it with -f`);
  }
  let pending = "";
  let failure: string | undefined;
  let id: string | undefined;
  const take = (line: string) => {
    if (line.trim() === "") return;
    let message: BuildMessage;
    try {
      message = JSON.parse(line) as BuildMessage;
    } catch {
      build.onOutput?.(line);
      return;
    }
    if (message.error || message.errorDetail?.message)
      failure = message.errorDetail?.message ?? message.error;
    if (message.aux?.ID) id = message.aux.ID;
    for (const text of (message.stream ?? "").split("\n")) if (text.trim() !== "") build.onOutput?.(text);
  };
  const reply = await engine.send({
    method: "POST",
    path: "/build",
    query: {
      t: build.tag,
      dockerfile: build.dockerfile,
      labels: JSON.stringify(build.labels ?? {}),
      buildargs: JSON.stringify(build.buildArgs ?? {}),
      nocache: build.noCache ? 1 : undefined,
      rm: 1,
      forcerm: 1,
    },
    body: tarStream(entries),
    contentType: "application/x-tar",
    timeout: 0,
    signal: build.signal,
    onData: (chunk) => {
      pending += chunk.toString("utf8");
      let at = pending.indexOf("\n");
      while (at >= 0) {
        take(pending.slice(0, at));
        pending = pending.slice(at + 1);
        at = pending.indexOf("\n");
      }
    },
  });
  take(pending);
  if (reply.status < 200 || reply.status > 299) {
    const text = reply.body.toString("utf8").trim();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    throw new HudError(
      `building ${build.tag} failed: ${message.split("\n")[0] || `engine answered ${reply.status}`}`,
    );
  }
  if (failure !== undefined)
    throw new HudError(`building ${build.tag} failed: ${failure.trim().split("\n").at(-1)}`);
  return id ?? build.tag;
}
