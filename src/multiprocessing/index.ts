/**
 * Python's `multiprocessing.Pool` API (`apply`, `map`, `imap`, `starmap`, their
 * async forms, `AsyncResult`) over weft's process and thread pool executors,
 * and `cpuCount`.
 *
 * @module weft/multiprocessing
 */
export { Pool, ThreadPool, AsyncResult, cpuCount } from './pool.js';
export type { PoolOptions, AsyncResultOptions, ChunkOptions } from './pool.js';
export { Process, currentProcess, parentProcess, activeChildren } from './process.js';
export type { ProcessOptions, ProcessInfo } from './process.js';
