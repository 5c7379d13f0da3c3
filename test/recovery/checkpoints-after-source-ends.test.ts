/**
 * Checkpoints go on once a source has ended, as in Flink 1.15+ (FLIP-147): a small bounded source
 * unioned with a longer one is recorded at its end, the barriers of the longer one align only
 * over the channels still open, the sinks publish what such a checkpoint covers when it
 * completes, and a restart from it does not read the small source again.
 * Regression: every checkpoint after any source had ended was abandoned ("source ... has
 * ended"), so exactly-once sinks published nothing until the job's end, and a failure rewound
 * the job to its start.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkpointDirName, loadCheckpoint } from '../../host/checkpoint/checkpoint-storage.ts';
import type { CompletedCheckpoint } from '../../host/checkpoint/completed-checkpoint.ts';
import {
  addLogSink,
  SourceFunction,
  type SourceContext,
} from '../../host/index.ts';
import { hostLog } from '../../host/log.ts';
import { CallbackSink, environment, MODES, type Mode } from '../support/jobs.ts';
import { FailsOnce } from './fails-once.ts';

const SMALL = [-1, -2, -3];
const N = 400;
/** The long source's first run stops here until a checkpoint has recorded it here. */
const HALF = 200;
/** The map fails on this record, in the first attempt only. */
const FAIL_AT = 300;
const SMALL_KEY = 'source:small';
const LONG_KEY = 'source:long';

/**
 * What the copies of the long source share with the test (a copy shares the instances of
 * classes its original holds): the checkpoints completed, read back from the checkpoint
 * directory, and the output published by the collect sink.
 */
class Probe {
  runs = 0;
  readonly published: number[] = [];
  /** The checkpoint each restart restored ('the start' if none). */
  readonly restartedFrom: string[] = [];
  readonly abandoned: string[] = [];
  /** Ids of the completed checkpoints, in order; `seen` of them have been looked at. */
  private readonly completed: number[] = [];
  private seen = 0;
  private wake: (() => void) | null = null;
  readonly removeLogSink = addLogSink((r) => {
    const complete = /^checkpoint (\d+) complete/.exec(r.message);
    if (complete !== null) this.completed.push(Number(complete[1]));
    const abandoned = /^checkpoint \d+ abandoned: (.*)$/.exec(r.message);
    if (abandoned !== null) this.abandoned.push(abandoned[1]!);
    const restart = /restart \d+ .* from (checkpoint \d+|the start)/.exec(r.message);
    if (restart !== null) this.restartedFrom.push(restart[1]!);
    // Kept aside now: the job discards its checkpoints once it finishes.
    const restoredId = restart === null ? null : /^checkpoint (\d+)$/.exec(restart[1]!);
    if (restoredId != null) {
      const name = checkpointDirName(Number(restoredId[1]));
      cpSync(join(this.dir, name), join(this.dir, 'restored', name), { recursive: true });
    }
    if (complete !== null || abandoned !== null || restart !== null) this.notify();
  });

  constructor(readonly dir: string) {}

  publish(value: number): void {
    this.published.push(value);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  async read(id: number): Promise<CompletedCheckpoint> {
    return loadCheckpoint(join(this.dir, checkpointDirName(id)), hostLog);
  }

  /** The checkpoint the restart restored, as it was then. */
  async readRestored(): Promise<CompletedCheckpoint> {
    return loadCheckpoint(join(this.dir, 'restored'), hostLog);
  }

  /**
   * The first completed checkpoint not looked at before that satisfies `wanted`. Fails at once
   * when a checkpoint is abandoned (what the regression did to every checkpoint).
   */
  async checkpointWhere(wanted: (c: CompletedCheckpoint) => boolean): Promise<CompletedCheckpoint> {
    for (;;) {
      if (this.abandoned.length > 0) throw new Error(`checkpoint abandoned: ${this.abandoned[0]}`);
      const id = this.completed[this.seen];
      if (id === undefined) {
        await this.changed();
        continue;
      }
      this.seen++;
      const checkpoint = await this.read(id);
      if (wanted(checkpoint)) return checkpoint;
    }
  }

  /** Resolves once the sink has published `count` records. */
  async publishedAtLeast(count: number): Promise<void> {
    while (this.published.length < count) await this.changed();
  }
}

/**
 * The long source: nothing until a checkpoint taken after the small source ended has completed
 * and its output is published, then 0..HALF-1, then (first run only) a stop until a checkpoint
 * has recorded it at HALF, then the rest.
 */
class Long extends SourceFunction<number> {
  pos = 0;
  constructor(private readonly probe: Probe) {
    super();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const run = this.probe.runs++;
    while (this.pos < N) {
      if (run === 0 && this.pos === 0) {
        await this.probe.checkpointWhere((c) => c.sources[SMALL_KEY]?.[0]?.done === true);
        await this.probe.publishedAtLeast(SMALL.length);
      }
      if (run === 0 && this.pos === HALF) await this.probe.checkpointWhere((c) => c.sources[LONG_KEY]?.[0]?.position === HALF);
      const full = ctx.collect(this.pos++);
      if (full !== undefined) await full;
    }
  }
  override snapshotState(): number {
    return this.pos;
  }
  override restoreState(state: unknown): void {
    this.pos = state as number;
  }
}

interface Run {
  collected: number[];
  printed: string[];
  /** What the sink fed by the small source alone printed ('through a map' only). */
  printedSmall: string[];
  /** What it had printed when the long source released its first record. */
  printedSmallBeforeLongSource: string[];
  /** What the sink had published when the long source released its first record. */
  publishedBeforeLongSource: number[];
  restarts: number;
  restartedFrom: string[];
  abandoned: string[];
  probe: Probe;
}

/**
 * `throughMap`: the small source goes through a map of its own before the union, and feeds a
 * sink of its own too: tasks all of whose inputs end, which finish while the job runs on and must
 * still acknowledge its checkpoints (the sink publishing what it holds with the next one).
 */
async function runJob(mode: Mode, dir: string, failAt: number | null, throughMap = false): Promise<Run> {
  const printed: string[] = [];
  const printedSmall: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (/^p> /.test(text)) printed.push(...text.split('\n').filter((l) => l !== ''));
    else if (/^s> /.test(text)) printedSmall.push(...text.split('\n').filter((l) => l !== ''));
    else return write(chunk, ...(rest as []));
    return true;
  });
  const probe = new Probe(dir);
  try {
    const env = environment(mode, {
      'execution.checkpointing.interval': 50,
      'state.checkpoints.dir': dir,
      'state.checkpoints.num-retained': 100_000,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 1,
      'restart-strategy.fixed-delay.delay': 0,
    });
    const small = env.fromCollection(SMALL).uid('small');
    const long = env.addSource(new Long(probe), 'Long').uid('long');
    if (throughMap) small.map((x: number) => x * 10).uid('small-only').print('s');
    const smallStream = throughMap ? small.map((x: number) => x).uid('small-map') : small;
    const mapped = smallStream.union(long).map(new FailsOnce(failAt)).uid('map').setFailurePolicy('restart');
    mapped.print('p');
    let publishedBeforeLongSource: number[] | null = null;
    let printedSmallBeforeLongSource: string[] | null = null;
    mapped.addSink(
      new CallbackSink<number>((v) => {
        if (v >= 0 && publishedBeforeLongSource === null) {
          publishedBeforeLongSource = [...probe.published];
          printedSmallBeforeLongSource = [...printedSmall];
        }
        probe.publish(v);
      }),
    );
    const result = await env.execute('union of a small and a long source');
    return {
      collected: probe.published,
      printed,
      printedSmall,
      printedSmallBeforeLongSource: printedSmallBeforeLongSource ?? [],
      publishedBeforeLongSource: publishedBeforeLongSource ?? [],
      restarts: result.restarts,
      restartedFrom: probe.restartedFrom,
      abandoned: probe.abandoned,
      probe,
    };
  } finally {
    probe.removeLogSink();
    vi.restoreAllMocks();
  }
}

const ALL = [...SMALL, ...Array.from({ length: N }, (_, i) => i)];

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function checkpointDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ended-source-'));
    dirs.push(dir);
    return dir;
  }

  it('checkpoints complete after the small source has ended; sinks publish at each completion', async () => {
    const run = await runJob(mode, checkpointDir(), null);
    expect(run.printedSmall).toEqual([]);
    expect(run.abandoned).toEqual([]);
    expect(run.restarts).toBe(0);
    // The small source's records were published by a checkpoint, before the long source had
    // released anything (not only at the job's end).
    expect(run.publishedBeforeLongSource).toEqual(SMALL);
    expect(run.collected).toEqual(ALL);
    expect(run.printed).toEqual(ALL.map((v) => `p> ${v}`));
  });

  it('a restart from a checkpoint taken after the small source ended gives exactly the failure-free output', async () => {
    const run = await runJob(mode, checkpointDir(), FAIL_AT);
    expect(run.abandoned).toEqual([]);
    expect(run.restarts).toBe(1);
    expect(run.restartedFrom).toHaveLength(1);
    const restored = /^checkpoint (\d+)$/.exec(run.restartedFrom[0]!);
    expect(restored).not.toBeNull();
    const checkpoint = await run.probe.readRestored();
    expect(checkpoint.id).toBe(Number(restored![1]));
    // The small source is at its end (it is not read again); the long one at or after the
    // stop at HALF, and before the failure (a checkpoint past it cannot complete).
    expect(checkpoint.sources[SMALL_KEY]).toEqual([{ done: true, position: null }]);
    const long = checkpoint.sources[LONG_KEY]![0]!;
    expect(long.done).toBe(false);
    expect(long.position).toBeGreaterThanOrEqual(HALF);
    expect(long.position).toBeLessThanOrEqual(FAIL_AT);
    expect(run.probe.runs).toBe(2);
    // Each record once: the small source was not replayed, the long one resumed where it was.
    expect(run.collected).toEqual(ALL);
    expect(run.printed).toEqual(ALL.map((v) => `p> ${v}`));
  });

  it('a map and a sink fed by the ended source alone finish and still acknowledge: checkpoints complete, the sink publishes with the next', async () => {
    const run = await runJob(mode, checkpointDir(), null, true);
    expect(run.abandoned).toEqual([]);
    expect(run.publishedBeforeLongSource).toEqual(SMALL);
    expect(run.printedSmallBeforeLongSource).toEqual(['s> -10', 's> -20', 's> -30']);
    expect(run.printedSmall).toEqual(['s> -10', 's> -20', 's> -30']);
    expect(run.collected).toEqual(ALL);
  });

  it('through a map: a restart after the small branch finished gives exactly the failure-free output', async () => {
    const run = await runJob(mode, checkpointDir(), FAIL_AT, true);
    expect(run.abandoned).toEqual([]);
    expect(run.restarts).toBe(1);
    expect(run.printedSmall).toEqual(['s> -10', 's> -20', 's> -30']);
    expect(run.collected).toEqual(ALL);
    expect(run.printed).toEqual(ALL.map((v) => `p> ${v}`));
  });
});
