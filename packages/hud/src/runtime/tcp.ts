// Runtime: the address of an environment server someone else started. It is its own lease; disposing does nothing.
import { parseControlUrl } from "../client/client.ts";
import type { Task } from "../environment/task.ts";
import { CallablePlacement } from "./callable-placement.ts";
import type { Lease } from "./placement.ts";

export interface RuntimeOptions {
  /** Connection hints passed along with the url (e.g. `{ ready_timeout: 30 }`). */
  params?: Record<string, unknown>;
}

export class Runtime extends CallablePlacement implements Lease {
  readonly url: string;
  readonly params: Record<string, unknown>;

  /**
   * `url` is `tcp://host:port` (a bare `host:port` gets `tcp://`) or `unix:///path/to/socket`; it is checked
   * now, not at first use.
   */
  constructor(url: string, options: RuntimeOptions = {}) {
    super();
    parseControlUrl(url);
    this.url = url.includes("://") ? url : `tcp://${url}`;
    this.params = Object.freeze({ ...options.params });
  }

  protected override async acquire(_task: Task): Promise<Lease> {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {}
}
