// A FIFO async lock: the holder gets a release function; waiters are served in arrival order.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves once the lock is held; call the returned function (idempotent) to release it. */
  lock(): Promise<() => void> {
    let open!: () => void;
    const released = new Promise<void>((resolve) => {
      open = resolve;
    });
    const acquired = this.tail.then(() => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        open();
      };
    });
    this.tail = this.tail.then(() => released);
    return acquired;
  }

  /** Run `body` while holding the lock. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await body();
    } finally {
      release();
    }
  }
}
