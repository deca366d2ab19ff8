// A JUnit XML report of a job for CI: one test case per rollout; errored → <error>, reward 0 → <failure>.
import type { RunFacts } from "./run-facts.ts";

function xml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot carry at all.
      .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
  );
}

export interface JunitJob {
  id: string;
  name: string;
  runs: readonly RunFacts[];
  timestamp?: string;
}

/** Partial credit passes: CI fails on what did not work at all. Cancelled rollouts are skipped. */
export function junitReport(job: JunitJob): string {
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let total = 0;
  const cases = job.runs.map((run) => {
    const time = run.seconds ?? 0;
    total += time;
    const props = [
      `        <property name="reward" value="${run.reward}"/>`,
      `        <property name="trace_id" value="${xml(run.traceId ?? "")}"/>`,
    ];
    let outcome = "";
    if (run.status !== "completed" && run.status !== "error") {
      skipped++;
      outcome = `      <skipped message="${xml(run.status)}"/>\n`;
    } else if (run.status === "error" || !run.counted) {
      errors++;
      const message = run.error ?? "rollout failed";
      outcome = `      <error message="${xml(message.split("\n")[0]!.slice(0, 500))}">${xml(message)}</error>\n`;
    } else if (run.reward <= 0) {
      failures++;
      outcome = `      <failure message="reward ${run.reward}"/>\n`;
    }
    return (
      `    <testcase classname="${xml(job.name)}" name="${xml(`${run.slug}#${run.repeat}`)}" time="${time.toFixed(3)}">\n` +
      `      <properties>\n${props.map((p) => `  ${p}`).join("\n")}\n      </properties>\n` +
      outcome +
      "    </testcase>\n"
    );
  });
  const counts = `tests="${job.runs.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${total.toFixed(3)}"`;
  const stamp = job.timestamp ? ` timestamp="${xml(job.timestamp)}"` : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="hud eval" ${counts}>\n` +
    `  <testsuite name="${xml(job.name)}" id="${xml(job.id)}" ${counts}${stamp}>\n` +
    cases.join("") +
    "  </testsuite>\n</testsuites>\n"
  );
}
