// Givens for the examples in src/internal/ (see common.ts); they see the exports of `weft`.
import type { Barrier, Lock, Queue } from 'weft';

export declare const lock: Lock;
export declare const barrier: Barrier;
export declare const q: Queue<string>;
export declare const item: string;
export declare function handle(item: string): void;
export declare const worker: import('node:worker_threads').Worker;
