#!/usr/bin/env node
// The `sluice` command. Registers tsx so that Sluice and the user's job, both TypeScript, run
// with no build step; then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli.ts');
process.exitCode = await main(process.argv.slice(2));
