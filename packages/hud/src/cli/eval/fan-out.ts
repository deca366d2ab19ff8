// One JobObserver made of several (the store, the display, …), called in order for every event.
import type { Job } from "../../eval/job.ts";
import type { Run } from "../../eval/run.ts";
import type { JobObserver, PlannedRollout } from "../../eval/schedule.ts";

export function fanOut(...observers: (JobObserver | undefined)[]): JobObserver {
  const all = observers.filter((o): o is JobObserver => o !== undefined);
  return {
    async jobStarted(job: Job, plan: PlannedRollout[]) {
      for (const o of all) await o.jobStarted?.(job, plan);
    },
    async rolloutStarted(run: Run) {
      for (const o of all) await o.rolloutStarted?.(run);
    },
    async rolloutFinished(run: Run) {
      for (const o of all) await o.rolloutFinished?.(run);
    },
    async jobFinished(job: Job) {
      for (const o of all) await o.jobFinished?.(job);
    },
  };
}
