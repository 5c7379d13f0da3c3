/**
 * `sluice run job.ts` in a project of the user's own, as `npm init` makes it: a package.json
 * without `"type"` (so CommonJS by Node's rules), Sluice installed under node_modules, the job
 * and its helpers in TypeScript with `import`/`export` and top-level `await`. Each helper
 * module is imported in the worker more than once (directly and through another helper). Sluice
 * is linked into node_modules (as `npm link` or pnpm leave it), so a package the job uses is
 * not beside Sluice's own files: the worker must resolve it as the job file does.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SLUICE = join(REPO, 'bin', 'sluice.js');
const project = mkdtempSync(join(tmpdir(), 'sluice-user-project-'));
cpSync(fileURLToPath(new URL('../fixtures/user-project', import.meta.url)), project, { recursive: true });
mkdirSync(join(project, 'node_modules'));
symlinkSync(REPO, join(project, 'node_modules', 'sluice'), 'dir');
mkdirSync(join(project, 'node_modules', 'padder'));
writeFileSync(join(project, 'node_modules', 'padder', 'package.json'), JSON.stringify({ name: 'padder', type: 'module', exports: './index.js' }));
writeFileSync(join(project, 'node_modules', 'padder', 'index.js'), "export const pad = (value, width) => value.padStart(width, '.');\n");
afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(packageJson: object, mode: string) {
  writeFileSync(join(project, 'package.json'), JSON.stringify(packageJson));
  return execa(process.execPath, [SLUICE, 'run', 'job.ts', '-D', `udf.execution-mode=${mode}`], {
    cwd: project,
    reject: false,
    env: { SLUICE_LOG_LEVEL: 'warn' },
  });
}

describe.each(['process', 'thread', 'embedded'])('a user project (%s mode)', (mode) => {
  it.each([
    ['without "type" (npm init)', { name: 'my-job', version: '1.0.0' }],
    ['with "type": "commonjs"', { name: 'my-job', type: 'commonjs' }],
    ['with "type": "module"', { name: 'my-job', type: 'module' }],
  ])('runs a TypeScript job %s', async (_, packageJson) => {
    const result = await run(packageJson, mode);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['.212F=100C', '....32F=0C', '.98.6F=37C']);
  });
});
