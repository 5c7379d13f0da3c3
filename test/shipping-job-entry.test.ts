import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { isNeverImported, jobEntry, setJobEntry } from '../host/shipping/job-entry.ts';
import { addTax, jobModuleRuns, WithVat } from './fixtures/shipping/job-module.ts';
import { importedModules, roundTrip } from './fixtures/shipping/round-trip.ts';

const JOB = new URL('./fixtures/shipping/job-module.ts', import.meta.url).href;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-job-entry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the job file is never imported by a worker', () => {
  // Runs first: jobEntry() reads process.argv[1] once.
  test('by default the job file is process.argv[1], found with or without its extension', () => {
    const saved = process.argv[1];
    process.argv[1] = fileURLToPath(JOB).replace(/\.ts$/, '');
    try {
      expect(jobEntry()).toBe(JOB);
    } finally {
      process.argv[1] = saved!;
    }
  });

  test('setJobEntry takes a path or URL; symlinks name the same file', () => {
    const link = join(scratch, 'job-link.ts');
    symlinkSync(fileURLToPath(JOB), link);
    setJobEntry(link);
    expect(jobEntry()).toBe(JOB);
    expect(isNeverImported(JOB)).toBe(true);
    setJobEntry(JOB);
    expect(isNeverImported(`file://${link}`)).toBe(true);
  });

  test('test and spec files are never imported either', () => {
    expect(isNeverImported('file:///p/a.test.ts')).toBe(true);
    expect(isNeverImported('file:///p/a.spec.mjs')).toBe(true);
    expect(isNeverImported('file:///p/testing.ts')).toBe(false);
  });

  test("a function the job file exports travels as source, and the job file's URL is not in the payload", async () => {
    setJobEntry(JOB);
    const { shipped, payload, loaded } = await roundTrip(addTax);
    expect(payload.function['kind']).toBe('source');
    expect(importedModules(shipped.payload)).toEqual([]);
    expect(loaded(10)).toBe(12);
    expect(jobModuleRuns()).toBe(1);
  });

  test('a class of the job file using a helper of the job file takes the helper by value, not the job file', async () => {
    setJobEntry(JOB);
    const { shipped, payload, loaded } = await roundTrip(new WithVat());
    const cls = payload.function['class'] as { kind: string; bindings: Record<string, { value?: { $: string; function: { kind: string; source: string } } }> };
    expect(cls.kind).toBe('source');
    expect(cls.bindings['vatRate']?.value?.$).toBe('function');
    expect(cls.bindings['vatRate']?.value?.function.kind).toBe('source');
    expect(importedModules(shipped.payload)).toEqual([]);
    expect(loaded.map(10)).toBe(12);
    expect(jobModuleRuns()).toBe(1);
  });
});
