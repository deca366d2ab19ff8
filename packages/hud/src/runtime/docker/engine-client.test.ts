// Where the engine is: DOCKER_HOST's forms, and one line for the ones that cannot work.
import { describe, expect, it } from "vitest";
import { engineAddress } from "./engine-client.ts";

describe("engineAddress", () => {
  it("reads unix sockets and TCP addresses from DOCKER_HOST", () => {
    expect(engineAddress("unix:///run/podman/podman.sock")).toEqual({
      socketPath: "/run/podman/podman.sock",
    });
    expect(engineAddress("tcp://127.0.0.1:2375")).toEqual({ host: "127.0.0.1", port: 2375 });
    expect(engineAddress("tcp://[::1]:2375")).toEqual({ host: "::1", port: 2375 });
  });

  it("falls back to a default socket when DOCKER_HOST is unset", () => {
    const address = engineAddress("");
    expect("socketPath" in address && address.socketPath).toMatch(/\/(docker|podman)\.sock$/);
  });

  it("refuses addresses it cannot speak to, in one line", () => {
    expect(() => engineAddress("ssh://me@host")).toThrow(
      "DOCKER_HOST='ssh://me@host' is not supported: use unix:///path/to/socket or tcp://host:port (TLS is not supported)",
    );
  });
});
