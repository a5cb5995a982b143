// The guard of the in-thread primitives' `hold()` (weft/asyncio). Same shape
// and behaviour as threading's Guard; threading/guard.ts may re-export this
// class so that weft has one Guard.

/**
 * Holds an acquisition; releases it when disposed (`using` / `await using`)
 * or when `release()` is called. Releasing twice is a no-op.
 *
 * @example
 * ```ts
 * {
 *   await using held = await lock.hold();
 *   // critical section
 * } // released here, also on throw
 * ```
 */
export class Guard implements Disposable, AsyncDisposable {
  #release: (() => void) | undefined;

  /** @internal */
  constructor(release: () => void) {
    this.#release = release;
  }

  /** Releases now (idempotent). */
  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** Releases (for `using`); same as {@link Guard.release}. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** Releases (for `await using`); same as {@link Guard.release}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
