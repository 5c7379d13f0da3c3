// Starts a worker: registers tsx (so that user modules written in TypeScript load with no build
// step) and the hook that loads them as ES modules in any project (shared/module-format-hook.ts),
// then runs the entry for this mode. Plain JavaScript because it runs before tsx exists.
import { register as registerHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
registerHook('../shared/module-format-hook.ts', import.meta.url);
await import(isMainThread ? './process-main.ts' : './thread-main.ts');
