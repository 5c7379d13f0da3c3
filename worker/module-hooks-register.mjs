// Registers tsx and Sluice's module hooks (shared/module-hooks.ts) in a worker, once. Plain
// JavaScript: it runs before tsx exists. A worker started from source registers them first
// thing (bootstrap.mjs); a worker started from its build (host/workers/worker-build.ts) needs
// them only to import a job's own modules, and registers them then: loading through the hooks
// is what made a worker slow to start. Anywhere else (the host, a test process) nothing arms
// them, and ensureModuleHooks() does nothing.
import { register as registerHook } from 'node:module';
import { register } from 'tsx/esm/api';

/** null: not armed (not a worker). */
let pending = null;
let registered = false;

/** Marks this thread as a worker: the hooks register now, or at the first ensureModuleHooks(). */
export function armModuleHooks({ redirects = [], now = false } = {}) {
  pending = { redirects };
  if (now) ensureModuleHooks();
}

/** Registers the hooks if this is a worker and they are not registered yet. */
export function ensureModuleHooks() {
  if (registered || pending === null) return;
  registered = true;
  register();
  registerHook('../shared/module-hooks.ts', import.meta.url, { data: { redirects: pending.redirects } });
}
