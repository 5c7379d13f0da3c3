/** console.* inside user functions reaches the host's log with severity, operator, worker id and message. */
import { describe, expect, it } from 'vitest';
import { addLogSink, type LogRecord } from '../../host/index.ts';
import { environment } from '../support/jobs.ts';
import { positionOf } from '../support/source-position.ts';

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('forwards console.log/warn/error from a function', async () => {
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    try {
      const env = environment(mode);
      await env
        .fromCollection(['a'])
        .map((s: string) => {
          console.log('seen %s', s);
          console.warn('careful with', { s });
          console.error(new Error('just reporting'));
          return s;
        })
        .name('Noisy')
        .executeAndCollect();
    } finally {
      remove();
    }
    const fromWorker = records.filter((r) => r.workerId !== undefined && r.operator === 'Noisy');
    expect(fromWorker.map((r) => [r.level, r.message])).toEqual([
      ['info', 'seen a'],
      ['warn', "careful with { s: 'a' }"],
      ['error', 'Error: just reporting'],
    ]);
    // The stack, once, as the entry's trace; its frame is this file's line (the shipped source's map).
    const [first, frame] = (fromWorker[2]!.trace ?? '').split('\n');
    expect(first).toBe('Error: just reporting');
    expect(frame?.replace(/^ {4}at .*\(([^()]*)\)$/, '$1')).toBe(positionOf(import.meta.url, "new Error('just reporting')"));
    expect(new Set(fromWorker.map((r) => r.workerId)).size).toBe(1);
  });
});
