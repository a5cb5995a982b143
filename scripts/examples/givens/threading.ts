// Givens for the examples in src/threading/ (see common.ts).
export declare const items: number[];
