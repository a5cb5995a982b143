// The rule of every promise-returning method (docs/architecture.md,
// README "Errors"): it never throws at the call; a bad argument rejects the
// promise it returns. Such a method is a thin wrapper that calls its checked
// body and turns what that throws into a rejection:
//
//   acquire(options) {
//     try { return this.#acquire(options); } catch (error) { return rejected(error); }
//   }

/** A promise rejected with `error`: what a promise-returning method's check threw. */
export function rejected(error: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was thrown, unchanged
  return Promise.reject(error);
}
