// The JUnit report: one case per rollout; errors, failures (reward 0) and skips counted; text escaped.
import { describe, expect, it } from "vitest";
import { junitReport } from "./junit.ts";
import type { RunFacts } from "./run-facts.ts";

const base: RunFacts = {
  slug: "t",
  repeat: 0,
  traceId: "abc",
  status: "completed",
  counted: true,
  reward: 1,
  error: undefined,
  gradeError: false,
  timeout: false,
  tokens: undefined,
  costUsd: undefined,
  seconds: 1.5,
};

describe("junitReport", () => {
  it("counts passes, partial credit, failures, errors and skips", () => {
    const xml = junitReport({
      id: "job1",
      name: 'a & "b" <c>',
      runs: [
        base,
        { ...base, repeat: 1, reward: 0.5 },
        { ...base, repeat: 2, reward: 0 },
        { ...base, repeat: 3, status: "error", counted: false, error: "[agent loop] Error: <boom>\nmore" },
        { ...base, repeat: 4, status: "cancelled", counted: false, reward: 0, seconds: undefined },
      ],
    });
    expect(xml).toContain(
      '<testsuites name="hud eval" tests="5" failures="1" errors="1" skipped="1" time="6.000">',
    );
    expect(xml).toContain('<testsuite name="a &amp; &quot;b&quot; &lt;c&gt;" id="job1"');
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('name="t#2" time="1.500">');
    expect(xml).toContain('<failure message="reward 0"/>');
    expect(xml).toContain(
      '<error message="[agent loop] Error: &lt;boom&gt;">[agent loop] Error: &lt;boom&gt;\nmore</error>',
    );
    expect(xml).toContain('<skipped message="cancelled"/>');
    expect(xml).toContain('<property name="reward" value="0.5"/>');
  });

  it("replaces characters XML cannot carry", () => {
    const xml = junitReport({
      id: "j",
      name: "n",
      runs: [{ ...base, status: "error", counted: false, error: "bad\u0001byte" }],
    });
    expect(xml).toContain("bad\uFFFDbyte");
  });
});
