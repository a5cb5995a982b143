export { Pool, ThreadPool, AsyncResult, cpuCount } from './pool.js';
export type { PoolOptions, AsyncResultOptions, ChunkOptions } from './pool.js';
