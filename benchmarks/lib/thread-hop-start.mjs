// Starts thread-hop-bench.ts's worker thread: plain JavaScript that registers tsx, then loads
// the TypeScript side (a worker thread does not inherit the main thread's module hooks).
import { register } from 'tsx/esm/api';

register();
await import('./thread-hop-worker.ts');
