// serveForTest: hooks run, the client works, and one dispose tears everything down.
import { describe, expect, it } from "vitest";
import { connect } from "../client/client.ts";
import { Environment } from "../environment/environment.ts";
import { serveForTest } from "./serve-for-test.ts";

describe("serveForTest", () => {
  it("starts the environment, connects a client, and tears both down on dispose", async () => {
    const events: string[] = [];
    const env = new Environment({ name: "t" });
    env.initialize(() => void events.push("up"));
    env.shutdown(() => void events.push("down"));
    env.template("echo", async function* ({ text }) {
      const answer = yield `say ${String(text)}`;
      yield answer === text ? 1 : 0;
    });
    let url: string;
    {
      await using t = await serveForTest(env);
      url = t.url;
      expect(events).toEqual(["up"]);
      expect((await t.client.startTask("echo", { text: "hi" })).prompt).toBe("say hi");
      expect((await t.client.grade({ answer: "hi" })).score).toBe(1);
    }
    expect(events).toEqual(["up", "down"]);
    await expect(connect(url, { readyTimeout: 0.3 })).rejects.toThrow(/not ready/);
  });
});
