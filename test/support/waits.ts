// Waiting for a condition instead of for a time: on a slow or loaded machine the wait only gets
// longer, it never ends too early.

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `condition` holds, polled every `everyMs`. The `timeoutMs` only turns a hang into
 * a clear failure; it is far above any wait a working run needs.
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { everyMs = 20, timeoutMs = 120_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${timeoutMs / 1000} s: ${what}`);
    await pause(everyMs);
  }
}

/** Resolves once the wall clock is past `t` (epoch ms), so a read that starts now reaches beyond t. */
export async function clockPast(t: number): Promise<void> {
  while (Date.now() <= t) await pause(t - Date.now() + 1);
}
