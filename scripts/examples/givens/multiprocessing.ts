// Givens for the examples in src/multiprocessing/ (see common.ts).
import type { TaskModule } from 'weft/futures';
import type { Pool } from 'weft/multiprocessing';

export declare const pool: Pool;
export declare const work: TaskModule<typeof import('../fixtures/work.js')>;
import type { DictProxy, Manager, ValueProxy } from 'weft/multiprocessing';
import type { Address } from '../../../src/multiprocessing/address.js';

export declare const manager: Manager;
export declare const d: DictProxy;
export declare const v: ValueProxy<number>;
export declare const address: Address;
export declare const wrong: string;
export declare function reconnect(): void;
