// Part of the pool workers' composition root (thread-worker.ts,
// process-worker.ts): the modules whose shareable classes register their
// revivers on import, loaded the first time a task's arguments hold a
// shareable. The specifiers are static, so esbuild and tsc see them;
// scripts/build.mjs keeps them external to the single-file pool entries, so
// a task's own `import 'weft/threading'` gets the same classes. A failure to
// load is the task's error (worker-loop.ts), never swallowed.

let loaded: Promise<unknown> | undefined;

/** Loads the shareable classes' modules, once. */
export function loadRevivers(): Promise<unknown> {
  return (loaded ??= Promise.all([
    import('../../threading/index.js'),
    import('../../shared/index.js'),
    import('../../queue/index.js'),
    import('../../multiprocessing/index.js'),
  ]));
}
