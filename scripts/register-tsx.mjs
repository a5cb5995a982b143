// Registers tsx's ESM hooks in this thread. Passed with --import, it runs in
// every worker too (workers inherit execArgv), which `--import tsx` alone does
// not do on Node 20.
import { register } from 'tsx/esm/api';
register();
// Tells weft's task loader (src/internal/task-load.ts) not to register tsx again.
globalThis[Symbol.for('weft.tsx.registered')] = true;
