// Shareables revived in a thread may need asynchronous set-up there (a
// Barrier's action imports its module). They register it here; a thread's
// entry awaits `settled()` before running the target.

const pending = new Set<Promise<unknown>>();

/** Registers asynchronous set-up that must finish before a task runs. */
export function track(promise: Promise<unknown>): void {
  const p = promise.finally(() => pending.delete(p));
  // Failures surface where the result is used; here they only must not be unhandled.
  p.catch(() => {});
  pending.add(p);
}

/** Resolves once everything tracked so far has settled. */
export async function settled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
