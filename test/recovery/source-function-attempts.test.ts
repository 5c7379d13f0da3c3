/**
 * Every attempt of a job runs a fresh copy of a user SourceFunction, made from the object given
 * to addSource (as Flink deserialises a fresh function for each attempt). Regression: the same
 * object ran again after a restart, so Flink's usual source (an `isRunning` flag that cancel()
 * clears) returned at once and the job "succeeded" without its last records, and a run() that
 * ignores cancel() went on beside the new one, moving its position.
 */
import { describe, expect, it } from 'vitest';
import {
  addLogSink,
  JobDefinitionError,
  SourceFunction,
  type SourceContext,
} from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { FailsOnce } from './fails-once.ts';
import { collect, environment, MODES, type Mode } from '../support/jobs.ts';

const N = 200;
/** The first run waits here for a checkpoint, so that the restart restores one. */
const WAIT_AT = 100;
/** The map fails on this record, in the first attempt only. */
const FAIL_AT = 150;
/** A source that ignores cancel() holds here in its first run until the second run has started. */
const HOLD_AT = 160;

/**
 * What the copies of one job's source share with the test. A copy shares (does not copy) the
 * instances of classes its original holds, so every copy reports to the same probe.
 */
class Probe {
  runs = 0;
  readonly restores: unknown[] = [];
  /** How each run ended, by run: 'returned' or the name of what it threw. */
  readonly ends: string[] = [];
  readonly restartedFrom: string[] = [];
  private checkpointWaiters: (() => void)[] = [];
  private secondRun!: () => void;
  readonly secondRunStarted = new Promise<void>((resolve) => (this.secondRun = resolve));
  private firstEnded!: () => void;
  readonly firstRunEnded = new Promise<void>((resolve) => (this.firstEnded = resolve));
  readonly removeLogSink = addLogSink((r) => {
    if (/^checkpoint \d+ complete/.test(r.message)) for (const wake of this.checkpointWaiters.splice(0)) wake();
    const restart = /restart \d+ .* from (checkpoint \d+|the start)/.exec(r.message);
    if (restart !== null) this.restartedFrom.push(restart[1]!.replace(/\d+/, 'N'));
  });

  /** Counts a run; returns its index. */
  started(): number {
    const run = this.runs++;
    if (run === 1) this.secondRun();
    return run;
  }

  ended(run: number, how: string): void {
    this.ends[run] = how;
    if (run === 0) this.firstEnded();
  }

  nextCheckpoint(): Promise<void> {
    return new Promise((resolve) => this.checkpointWaiters.push(resolve));
  }
}

/** Flink's usual SourceFunction: a running flag that cancel() clears, its position checkpointed. */
class Counter extends SourceFunction<number> {
  isRunning = true;
  pos = 0;
  constructor(private readonly probe: Probe) {
    super();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const run = this.probe.started();
    while (this.isRunning && this.pos < N) {
      if (run === 0 && this.pos === WAIT_AT) await this.probe.nextCheckpoint();
      const full = ctx.collect(this.pos);
      this.pos++;
      if (full !== undefined) await full;
    }
    this.probe.ended(run, 'returned');
  }
  override cancel(): void {
    this.isRunning = false;
  }
  override snapshotState(): number {
    return this.pos;
  }
  override restoreState(state: unknown): void {
    this.probe.restores.push(state);
    this.pos = state as number;
  }
}

/**
 * A source that ignores cancel(): its first run goes on after its attempt has failed, beside the
 * second, which it must neither feed nor move along.
 */
class Stubborn extends SourceFunction<number> {
  pos = 0;
  constructor(private readonly probe: Probe) {
    super();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const run = this.probe.started();
    try {
      while (this.pos < N) {
        if (run === 0 && this.pos === WAIT_AT) await this.probe.nextCheckpoint();
        if (run === 0 && this.pos === HOLD_AT) await this.probe.secondRunStarted;
        const full = ctx.collect(this.pos);
        this.pos++;
        if (full !== undefined) await full;
        // The second run goes on once the first has ended, which it must (its attempt is over).
        if (run === 1) await this.probe.firstRunEnded;
      }
      this.probe.ended(run, 'returned');
    } catch (error) {
      this.probe.ended(run, error instanceof Error ? error.name : String(error));
      throw error;
    }
  }
  override snapshotState(): number {
    return this.pos;
  }
  override restoreState(state: unknown): void {
    this.probe.restores.push(state);
    this.pos = state as number;
  }
}

async function runJob(mode: Mode, source: SourceFunction<number>, failAt: number | null): Promise<{ out: number[]; restarts: number }> {
  const env = environment(mode, {
    'execution.checkpointing.interval': 50,
    'restart-strategy.type': 'fixed-delay',
    'restart-strategy.fixed-delay.attempts': 2,
    'restart-strategy.fixed-delay.delay': 0,
  });
  const out = collect(env.addSource(source, 'Source').map(new FailsOnce(failAt)).setFailurePolicy('restart'));
  const result = await env.execute('source attempts');
  return { out, restarts: result.restarts };
}

const ALL = Array.from({ length: N }, (_, i) => i);

describe.each(MODES)('%s mode', (mode) => {
  it('a source with an isRunning flag gives after a restart exactly the failure-free output', async () => {
    const cleanProbe = new Probe();
    const clean = await runJob(mode, new Counter(cleanProbe), null).finally(cleanProbe.removeLogSink);
    const probe = new Probe();
    const source = new Counter(probe);
    const failed = await runJob(mode, source, FAIL_AT).finally(probe.removeLogSink);
    expect(clean).toEqual({ out: ALL, restarts: 0 });
    expect(failed).toEqual({ out: clean.out, restarts: 1 });
    expect(probe.restartedFrom).toEqual(['checkpoint N']);
    expect([cleanProbe.runs, probe.runs]).toEqual([1, 2]);
    // A fresh start restores nothing; the restart restores once, from a checkpoint taken after
    // the wait and before the failure.
    expect(cleanProbe.restores).toEqual([]);
    expect(probe.restores).toHaveLength(1);
    expect(probe.restores[0]).toBeGreaterThanOrEqual(WAIT_AT);
    expect(probe.restores[0]).toBeLessThanOrEqual(FAIL_AT);
    // The object given to addSource never ran: it is as the job found it.
    expect([source.isRunning, source.pos]).toEqual([true, 0]);
  });

  it('a source whose run() ignores cancel() cannot emit into, or move, the next attempt', async () => {
    const probe = new Probe();
    const result = await runJob(mode, new Stubborn(probe), FAIL_AT).finally(probe.removeLogSink);
    expect(result).toEqual({ out: ALL, restarts: 1 });
    expect(probe.restores).toHaveLength(1);
    // The first run was stopped at its next record by ctx.collect.
    expect(probe.ends).toEqual(['SourceCancelledError', 'returned']);
  });
});

describe('a source with private members', () => {
  class Private extends SourceFunction<number> {
    #next = 0;
    *run(): Generator<number> {
      yield this.#next++;
    }
  }

  it('is refused before any data flows: a copy is made of fields, and #members are not fields', async () => {
    const env = environment('embedded');
    const out = collect(env.addSource(new Private(), 'Private'));
    const error = await failureOf<JobDefinitionError>(env.execute('private'));
    expect(error).toBeInstanceOf(JobDefinitionError);
    expect(error!.message).toBe(
      'Source: Private: class Private declares private members `#next`. Every attempt of the job runs a fresh ' +
        'copy of the source made from its fields, and private members are not fields. Use ordinary fields instead (`next`).',
    );
    expect(out).toEqual([]);
  });
});
