// Waiting for a started container to serve: probe its published port, then say hello, until it exits or time runs out.
import { connect as tcpConnect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "../../client/client.ts";
import { RpcError } from "../../protocol/errors.ts";

export type Readiness = { kind: "serving" } | { kind: "exited"; code: number } | { kind: "timeout" };

/** Between refused probes: short, since container start-up is the floor this waits on. */
const PROBE_INTERVAL_MS = 40;

/**
 * Serving means the control channel answered `hello` — with an error too (e.g. a token is required): the server
 * is up. A cheap TCP probe runs first, so the hello (and the client's retry backoff) only starts once something
 * accepts; each hello attempt gets a growing window so a slow but live server under load still gets through.
 */
export async function waitUntilServing(
  host: string,
  port: number,
  deadline: number,
  exited: Promise<number>,
): Promise<Readiness> {
  let done = false;
  const outcomes: Promise<Readiness>[] = [
    exited.then((code): Readiness => ({ kind: "exited", code })),
    probeLoop(host, port, deadline, () => done),
  ];
  try {
    return await Promise.race(outcomes);
  } finally {
    done = true;
  }
}

async function probeLoop(host: string, port: number, deadline: number, stopped: () => boolean) {
  let window = 1;
  while (!stopped()) {
    const remaining = (deadline - Date.now()) / 1000;
    if (remaining <= 0) return { kind: "timeout" } as const;
    if (await accepts(host, port, Math.min(remaining, 2))) {
      if (stopped()) break;
      try {
        const client = await connect(`tcp://${host}:${port}`, {
          readyTimeout: Math.min(window, remaining),
          forwarders: false,
        });
        await client.close();
        return { kind: "serving" } as const;
      } catch (error) {
        if (RpcError.is(error)) return { kind: "serving" } as const;
        window = Math.min(window * 2, 4);
      }
    } else {
      await sleep(Math.min(PROBE_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    }
  }
  return { kind: "timeout" } as const;
}

/** Whether something accepts a TCP connection (closed again at once). */
function accepts(host: string, port: number, seconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), seconds * 1000);
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
