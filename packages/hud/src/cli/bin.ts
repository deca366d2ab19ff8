#!/usr/bin/env node
// The `hud` executable: wires the real process into main() and is the only place that exits.
import { getEventListeners } from "node:events";
import { main } from "./main.ts";

const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts += 1;
  // A command that listens for the abort stops cleanly; otherwise (or on a second signal) exit now,
  // which still runs exit hooks (e.g. killing spawned environments' process groups).
  if (interrupts === 1 && getEventListeners(controller.signal, "abort").length > 0) controller.abort();
  else process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
  verbose: false,
});
process.exit(exitCode);
