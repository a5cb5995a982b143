// Givens for the examples in src/green/ (see common.ts).
import type { Greenlet } from 'weft/green';

export declare function foo(): Promise<void>;
export declare function bar(): Promise<void>;
export declare function fetchPage(url: string): Promise<string>;
export declare const greenlets: Greenlet[];
export declare const workers: Greenlet[];
export declare const a: Greenlet<number>;
export declare const b: Greenlet<number>;
export declare const c: Greenlet<number>;
export declare const logger: { error(data: object): void };
