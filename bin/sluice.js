#!/usr/bin/env node
// The `sluice` command. Registers tsx so that Sluice and the user's job, both TypeScript, run
// with no build step, and Sluice's hooks (shared/module-hooks.ts: TypeScript loads as ES
// modules in any project); then hands over to the CLI.
import { register as registerHook } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHook('../shared/module-hooks.ts', import.meta.url);
const { main } = await import('../host/cli.ts');
process.exitCode = await main(process.argv.slice(2));
