#!/usr/bin/env node
// The `hud` executable: wires the real process into main() and is the only place that exits.
import { main } from "./main.ts";

const controller = new AbortController();
const exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
  verbose: false,
});
process.exitCode = exitCode;
