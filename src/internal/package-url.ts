// Where weft's own files are, for the few modules that start a worker on one
// of weft's entry files or import one by URL. The published build is bundled
// (dist/ holds shared chunks, so a module's import.meta.url is its chunk's,
// not its source file's), so paths are taken from the layout root instead:
// the deepest `/dist/` or `/src/` directory in this module's own URL, which
// is weft's, since nothing below that root is named either way.

const HERE = import.meta.url;
const ROOT = HERE.slice(0, Math.max(HERE.lastIndexOf('/dist/') + 6, HERE.lastIndexOf('/src/') + 5));
// `.ts` when run from source under a loader (tests), `.js` when built.
const EXT = HERE.slice(HERE.lastIndexOf('.'));

/**
 * The URL of one of weft's modules, from its path below `src/` (or `dist/`)
 * without extension, e.g. `weftModule('futures/entry/thread-worker')`.
 */
export function weftModule(path: string): URL {
  return new URL(`${path}${EXT}`, ROOT);
}

/** The package's root directory (the one holding package.json and examples/). */
export const PACKAGE_ROOT: URL = new URL('../', ROOT);
