// Signalling a child's whole process group, and killing every group still alive when this process exits.
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Send `signal` to process group `pgid`; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
  }
}

/**
 * Remember a group so that it dies with this process even if nobody disposed its lease. The hook must be
 * synchronous (it runs from process "exit"), hence SIGKILL rather than a graceful stop.
 */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const group of liveGroups) signalGroup(group, "SIGKILL");
  });
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/**
 * Wait (at most `seconds`) until no member of group `pgid` is still running. SIGKILL is delivered
 * asynchronously, and exited members may linger as zombies when nobody reaps orphans (containers whose
 * init does not), so on Linux members are read from /proc and zombies count as gone.
 */
export async function groupGone(pgid: number, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (!(await groupRunning(pgid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}

async function groupRunning(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // Fields after the parenthesized command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z") return true;
  }
  return false;
}
