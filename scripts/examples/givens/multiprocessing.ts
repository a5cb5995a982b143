// Givens for the examples in src/multiprocessing/ (see common.ts).
import type { TaskModule } from 'weft/futures';
import type { Pool } from 'weft/multiprocessing';

export declare const pool: Pool;
export declare const work: TaskModule<typeof import('../fixtures/work.js')>;
