// Poll for a condition the test cannot await directly (e.g. the server noticing a reset); fails on its deadline.
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeout = 10,
): Promise<void> {
  const deadline = Date.now() + timeout * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout}s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
