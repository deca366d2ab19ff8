// shellQuote: every string comes back from sh exactly as written.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "./shell-quote.ts";

describe("shellQuote", () => {
  it("leaves plain words alone and makes anything else one literal word for sh", () => {
    expect(shellQuote("/tmp/plain-file_1.txt")).toBe("/tmp/plain-file_1.txt");
    const odd = [`it's "quoted" $HOME \`id\` & ; | * ~ \\ \n new line`, "", "-n", "é"];
    for (const text of odd) {
      const echoed = execFileSync("sh", ["-c", `printf '%s' ${shellQuote(text)}`], { encoding: "utf8" });
      expect(echoed).toBe(text);
    }
  });
});
