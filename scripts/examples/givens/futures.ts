// Givens for the examples in src/futures/ (see common.ts).
import type { Future, TaskModule, ThreadPoolExecutor } from 'weft/futures';

export declare const pool: ThreadPoolExecutor;
export declare const work: TaskModule<typeof import('../fixtures/work.js')>;
export declare const future: Future<number>;
export declare const futures: Future<number>[];
export declare const input: unknown;
