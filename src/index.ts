/**
 * The common names in one import: `weft/threading`, `weft/shared`, `weft/queue`
 * and `weft/futures`. `weft/asyncio` and `weft/green` reuse Python's class
 * names (`Lock`, `Queue`, …) for their in-thread versions: import them from
 * their own subpaths.
 *
 * @module weft
 */
export * from './threading/index.js';
export * from './shared/index.js';
export * from './queue/index.js';
export * from './futures/index.js';
// Instances of the program's classes crossing threads as themselves (pickle by class reference).
export { registerClass, type RegisterClassOptions } from './internal/classes.js';
// The catalogue of every `code` weft's errors carry.
export type { ErrorCode } from './internal/codes.js';
// The shared `{ timeout, signal }` options (internal/options.ts); weft/futures'
// deprecated `WaitOptions` alias (of `WaitFuturesOptions`) is not this one.
export type { WaitOptions } from './internal/options.js';
