// Starts a worker: registers tsx (so that user modules written in TypeScript load with no build
// step), then runs the entry for this mode. Plain JavaScript because it runs before tsx exists.
import { isMainThread } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(isMainThread ? './process-main.ts' : './thread-main.ts');
