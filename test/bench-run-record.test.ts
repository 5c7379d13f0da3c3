import { describe, expect, it } from 'vitest';
import { parseRunOptions } from '../benchmarks/lib/cli-options.ts';
import { renderRun, type RunRecord } from '../benchmarks/lib/results-file.ts';

const noPrint = (): void => undefined;

function run(overrides: Partial<RunRecord>): RunRecord {
  return {
    startedAt: new Date('2026-11-22T21:00:00Z'),
    durationMs: 0,
    command: 'npm run bench',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', os: 'Linux', loadAverage: [0.5, 0.25, 0.125], commit: 'abc1234' },
    repetitions: 5,
    quick: false,
    fullSuite: true,
    reports: [],
    caseMinutes: [],
    failures: [],
    warnings: [],
    ...overrides,
  };
}

describe('a benchmark run (benchmarks/run.ts)', () => {
  it('is the full suite only when run with no case, no --quick, --reps or --records', () => {
    expect(parseRunOptions([], noPrint)!.fullSuite).toBe(true);
    expect(parseRunOptions(['--no-write'], noPrint)!.fullSuite).toBe(true);
    expect(parseRunOptions(['json-lower'], noPrint)!.fullSuite).toBe(false);
    expect(parseRunOptions(['--quick'], noPrint)!.fullSuite).toBe(false);
    expect(parseRunOptions(['--reps', '5'], noPrint)!.fullSuite).toBe(false);
    expect(parseRunOptions(['--records', '1000'], noPrint)!.fullSuite).toBe(false);
  });

  it('records the minutes of each case, and warns when the full suite took longer than ten minutes', () => {
    const caseMinutes = [
      { id: 'json-lower', minutes: 1.54 },
      { id: 'latency', minutes: 0.81 },
    ];
    const lines = renderRun(run({ durationMs: 11.4 * 60_000, caseMinutes })).split('\n');
    expect(lines.filter((l) => l.startsWith('- minutes per case') || l.includes('**warning:**'))).toEqual([
      '- minutes per case: json-lower 1.5, latency 0.8',
      '- **warning:** the whole suite took longer than the 10 minutes issue 6 gives it',
    ]);
  });

  it('does not warn for a full suite within ten minutes, nor for a part of the suite', () => {
    const within = renderRun(run({ durationMs: 9.9 * 60_000 }));
    const part = renderRun(run({ durationMs: 11 * 60_000, fullSuite: false, caseMinutes: [{ id: 'latency', minutes: 11 }] }));
    expect(within.includes('warning')).toBe(false);
    expect(part.includes('warning')).toBe(false);
    // One case: its minutes are the run's, printed once.
    expect(part.includes('minutes per case')).toBe(false);
  });
});
