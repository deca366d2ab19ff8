// Small pieces the runtime tests share: an environment that counts its hook runs, and a one-shot prompt read.
import { connect, Environment } from "hud";

/** An environment with a `hello` template that counts its initialize/shutdown hook runs. */
export function countingEnv(name: string) {
  const env = new Environment({ name, version: "0.0.1" });
  const hooks = { started: 0, stopped: 0 };
  env.initialize(async () => {
    hooks.started++;
  });
  env.shutdown(async () => {
    hooks.stopped++;
  });
  env.template("hello", async function* () {
    yield `hello from ${name}`;
    yield 1;
  });
  return { env, hooks };
}

/** Connect, start a task, return its prompt text, disconnect. */
export async function promptOf(url: string, id: string, args = {}): Promise<string> {
  const client = await connect(url);
  try {
    return String((await client.startTask(id, args)).prompt);
  } finally {
    await client.close();
  }
}
