// Givens for the examples in src/asyncio/ (see common.ts).
import type { EventLoop, TaskGroup } from 'weft/asyncio';

export declare const tg: TaskGroup;
export declare function main(loop: EventLoop): Promise<void>;
/** Tasks that take the group's signal. */
export declare function a(signal: AbortSignal): Promise<number>;
export declare function b(signal: AbortSignal): Promise<string>;
export declare function fetchA(signal: AbortSignal): Promise<number>;
export declare function fetchB(signal: AbortSignal): Promise<string>;
export declare function download(
  name: string,
  options: { signal: AbortSignal },
): Promise<Uint8Array>;
export declare function foo(): Promise<number>;
export declare function bar(): Promise<string>;
export declare function ok(): Promise<number>;
export declare function fails(): Promise<number>;
export declare function save(state: object): Promise<void>;
export declare const state: object;
