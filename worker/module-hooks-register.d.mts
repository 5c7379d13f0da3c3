import type { ModuleRedirect } from '../shared/module-hooks.ts';

export function armModuleHooks(options?: { redirects?: readonly ModuleRedirect[]; now?: boolean }): void;
export function ensureModuleHooks(): void;
