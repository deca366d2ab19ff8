// Url splitting keeps every part as written (default ports included), unlike WHATWG URL.
import { describe, expect, it } from "vitest";
import { joinUrl, normalizeUrl, splitUrl } from "./url.ts";

describe("splitUrl / joinUrl", () => {
  it.each([
    "http://x:80/mcp",
    "ssh://agent@127.0.0.1:22",
    "http://user:p%40ss@h:8080/a/b?q=1&r=2#frag",
    "ws://[::1]:9222/devtools/page/1",
    "tcp://h:1",
  ])("round-trips %s unchanged", (url) => {
    expect(joinUrl(splitUrl(url))).toBe(url);
  });

  it("splits every part", () => {
    expect(splitUrl("HTTP://u:p@Host:81/p?q#f")).toEqual({
      scheme: "http",
      userinfo: "u:p",
      hostname: "Host",
      port: 81,
      path: "/p",
      query: "?q",
      fragment: "#f",
    });
  });

  it.each([
    ["x/mcp", /no scheme/],
    ["http://", /no host/],
    ["http://h:port/", /bad port/],
    ["http://h:70000/", /bad port/],
    ["http://[::1/", /unclosed IPv6/],
    ["", /non-empty string/],
  ])("rejects %j", (url, message) => {
    expect(() => splitUrl(url)).toThrow(message);
  });
});

describe("normalizeUrl", () => {
  it("adds the default scheme and port, keeping what was given", () => {
    expect(normalizeUrl("h", "ssh", 22)).toBe("ssh://h:22");
    expect(normalizeUrl("h:2222", "ssh", 22)).toBe("ssh://h:2222");
    expect(normalizeUrl("ssh://me@h", "ssh", 22)).toBe("ssh://me@h:22");
    expect(normalizeUrl("tcp://h", "tcp", undefined)).toBe("tcp://h");
  });
});
