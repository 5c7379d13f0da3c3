#!/usr/bin/env node
// The `sluice` command. Registers tsx so that Sluice and the user's job, both TypeScript, run
// with no build step, and the hook that loads TypeScript as ES modules in any project
// (shared/module-format-hook.ts); then hands over to the CLI.
import { register as registerHook } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHook('../shared/module-format-hook.ts', import.meta.url);
const { main } = await import('../host/cli.ts');
process.exitCode = await main(process.argv.slice(2));
