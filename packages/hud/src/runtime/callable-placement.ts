// Base of the built-in runtimes: instances are plain callable placements, so `runtime(task)` works anywhere.
import type { Task } from "../environment/task.ts";
import type { Lease } from "./placement.ts";

/** Call signature shared by every runtime instance (merged with the class below). */
export interface CallablePlacement {
  // biome-ignore lint/style/useShorthandFunctionType: only an interface (not a type alias) merges with the class
  (task: Task): Promise<Lease>;
}

/**
 * The constructor returns a function object whose prototype is the subclass's prototype: `instanceof`,
 * methods and fields behave as on any instance, and the object can be passed where a `Placement` is expected.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merge gives instances their call signature (the constructor makes it true)
export abstract class CallablePlacement {
  constructor() {
    const placement = ((task: Task) => placement.acquire(task)) as unknown as this;
    Object.defineProperty(placement, "name", { value: new.target.name });
    Object.setPrototypeOf(placement, new.target.prototype);
    // biome-ignore lint/correctness/noConstructorReturn: the instance must be callable
    return placement;
  }

  /** Provision one lease for `task`. */
  protected abstract acquire(task: Task): Promise<Lease>;
}
