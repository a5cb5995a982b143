// Givens: names a TSDoc example may use without declaring them, with their
// types (check-examples.mjs imports the ones a block uses; such a block is
// type-checked, never run). common.ts applies everywhere, <module>.ts to the
// examples in src/<module>/ (weft.ts: src/internal/); a block can declare any
// other name itself with a `declare const name: Type;` line.
export declare const url: string;
export declare const urls: string[];
export declare const list: string[];
export declare const controller: AbortController;
