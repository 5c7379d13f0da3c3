/**
 * Every operator of the DataStream API, end to end, in every execution mode and under every
 * bundle setting: the outputs are exact and identical everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobExecutionResult } from '../../host/index.ts';
import { buildCatalogue, type Pipeline } from './catalogue.ts';
import { BUNDLE_SETTINGS, environment, MODES, type Mode } from '../support/jobs.ts';

function sorted(values: unknown[]): unknown[] {
  return [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** Thread mode with its sides polling for answers (udf.thread.spin-time), which must change no result. */
const SPINNING: Record<string, Record<string, unknown>> = {
  'spinning, bundle 1, batch 1': { 'udf.thread.spin-time': 3, ...BUNDLE_SETTINGS['bundle 1, batch 1'] },
  'spinning, bundle default, batch default': { 'udf.thread.spin-time': 3 },
};

/** Process mode with Data on the workers' main threads (udf.process.data-thread off), which must change no result. */
const NO_DATA_THREAD: Record<string, Record<string, unknown>> = {
  'no data thread, bundle 1, batch 1': { 'udf.process.data-thread': false, ...BUNDLE_SETTINGS['bundle 1, batch 1'] },
  'no data thread, bundle default, batch default': { 'udf.process.data-thread': false },
};

const RUNS: (readonly [mode: Mode, label: string, settings: Record<string, unknown>])[] = [
  ...MODES.flatMap((mode) => Object.entries(BUNDLE_SETTINGS).map(([label, settings]) => [mode, label, settings] as const)),
  ...Object.entries(SPINNING).map(([label, settings]) => ['thread', label, settings] as const),
  ...Object.entries(NO_DATA_THREAD).map(([label, settings]) => ['process', label, settings] as const),
];

describe.each(RUNS)('%s mode, %s', (mode, _label, settings) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  let pipelines: Record<string, Pipeline>;
  let result: JobExecutionResult;

  // One job runs the whole catalogue; with a bundle per record it takes about a minute on a
  // busy 2-core machine, so the hook may take longer than a test.
  beforeAll(async () => {
    const env = environment(mode, settings);
    pipelines = buildCatalogue(env, dir);
    result = await env.execute('catalogue');
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const names = Object.keys(buildCatalogue(environment(mode), dir));
  it.each(names)('%s', (name) => {
    const p = pipelines[name]!;
    if (p.unordered) expect(sorted(p.results)).toEqual(sorted(p.expected));
    else expect(p.results).toEqual(p.expected);
  });

  it('counts records per operator', () => {
    expect(result.operator('Thirds')).toMatchObject({ kind: 'udf', recordsIn: 20, recordsOut: 6 });
    expect(result.operator('Doubler')).toMatchObject({ kind: 'udf', recordsIn: 3, recordsOut: 3 });
  });
});
