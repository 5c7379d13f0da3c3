/**
 * backpressure-memory (P6): does the host's memory stay flat while a source could produce far
 * faster than the function consumes? An unbounded source (an async generator yielding ~100-byte
 * strings as fast as it is let) feeds a map that burns ~10 µs a record, for 60 s per mode; the
 * host's RSS and heap are sampled every second from the first record at the sink, then the job is
 * cancelled. With backpressure working, what the host holds is bounded by configuration (the
 * source's read-ahead, udf.in-flight.max-batches / max-bytes), not by how long the job runs.
 *
 * Figure: the peak RSS of the last 10 s (50–60 s) / the peak RSS of 10–20 s (target ≈ 1.0).
 * Peaks over windows rather than single samples: the host's RSS swings by tens of MiB with the
 * garbage collections of its heap (and, in thread mode, its workers'), and one sample at 60 s
 * against one at 10 s read 0.90 or 1.14 by which end of a swing each fell on. One 60 s run per
 * mode (process, thread): the figure is a ratio within that run, and the range column spans the
 * lowest and highest sample from 10 s on against the early peak.
 */
import { MapFunction, SourceFunction, Types, type SourceContext } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from '../lib/benchmark-case.ts';
import { calibrateWork } from '../lib/calibrate-work.ts';
import { formatCount, formatRate, formatSeconds } from '../lib/format.ts';
import { runUntilCancelled, sleepUntil } from '../lib/job-until-cancelled.ts';
import { megabytes, peakBetween, sampleAt, sampleMemory, slopePerMinute, type MemorySample } from '../lib/memory-sampler.ts';
import { runTimedJob, type ExecutionMode } from '../lib/timed-job.ts';

const MODES: readonly ExecutionMode[] = ['process', 'thread'];
const TARGET_MICROS = 10;
/** Where RSS is read: early (after warm-up), middle, end; and how long a run lasts (the end). */
const MARKS_S = { early: 10, middle: 30, end: 60, window: 10 };
const QUICK_MARKS_S = { early: 2, middle: 4, end: 6, window: 2 };
const PADDING = '.'.repeat(88);
const ALONE_RECORDS = 2_000_000;
const QUICK_ALONE_RECORDS = 200_000;

/**
 * Yields as fast as the pipeline takes its records; without a limit it never ends and the job is
 * cancelled. Runs in the host, so it is never shipped.
 */
class EndlessSource extends SourceFunction<string> {
  constructor(private readonly limit = Infinity) {
    super();
  }
  override async *run(_ctx: SourceContext<string>): AsyncGenerator<string> {
    for (let i = 0; i < this.limit; i++) yield `event ${String(i).padStart(10, '0')}${PADDING}`;
  }
}

// Not exported: the worker gets it as source. A checksum of the string, mixed `rounds` times so
// that every round counts; `rounds` is an own field, so it travels with the object.
class BusyChecksum extends MapFunction<string, number> {
  constructor(private readonly rounds: number) {
    super();
  }
  map(s: string): number {
    let h = s.length;
    for (let i = 0; i < this.rounds; i++) h = (Math.imul(h ^ s.charCodeAt(i % s.length), 0x5bd1e995) + i) | 0;
    return h;
  }
}

interface ModeRun {
  mode: ExecutionMode;
  rssBefore: number;
  samples: MemorySample[];
  startUpMs: number;
}

const backpressureMemory: BenchmarkCase = {
  title: 'host memory under backpressure: a source 10× faster than the function, 60 s (P6)',
  async run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const marks = ctx.options.quick ? QUICK_MARKS_S : MARKS_S;
    const warnings: string[] = [];
    const sample = `event 0000000001${PADDING}`;
    const work = calibrateWork((rounds) => {
      const f = new BusyChecksum(rounds);
      return (x) => f.map(x % 2 === 0 ? sample : `${sample}!`);
    }, TARGET_MICROS);
    const fn = new BusyChecksum(work.rounds);
    ctx.progress(`function: ${work.rounds} rounds, ${work.microsPerCall.toFixed(1)} µs per record on the host's thread`);

    // How fast the source is when nothing holds it back: the same source straight into a sink.
    // Bounded and run to its end: with no worker between source and sink nothing in the job
    // waits for I/O, and an unbounded run would never let a timer fire to cancel it (see README).
    const aloneRecords = ctx.options.quick ? QUICK_ALONE_RECORDS : ALONE_RECORDS;
    const alone = await runTimedJob({
      name: 'the source, no function',
      records: aloneRecords,
      mode: 'process',
      pipeline: (env, n) => env.addSource(new EndlessSource(n), 'bounded source', Types.STRING()),
      onWorkerPids: (pids) => ctx.workerPids(pids),
    });

    const runs: ModeRun[] = [];
    for (const mode of MODES) {
      const rssBefore = process.memoryUsage().rss;
      const job = await runUntilCancelled(
        {
          name: 'endless source into a 10 µs function',
          mode,
          pipeline: (env) => env.addSource(new EndlessSource(), 'endless source', Types.STRING()).map(fn, Types.LONG()).name('busy checksum'),
          onWorkerPids: (pids) => ctx.workerPids(pids),
        },
        async ({ count, client, firstAt, checkRunning }) => {
          const samples: MemorySample[] = [];
          for (let s = 0; s <= marks.end; s++) {
            await sleepUntil(firstAt + s * 1000);
            checkRunning();
            const pids = client.workers().flatMap((w) => (w.handle.pid === undefined ? [] : [w.handle.pid]));
            samples.push(sampleMemory((performance.now() - firstAt) / 1000, count.count, pids));
            if (s % 10 === 0) ctx.progress(`${mode} ${s} s: RSS ${megabytes(samples.at(-1)!.rss)}, ${formatCount(count.count)} records`);
          }
          return samples;
        },
      );
      warnings.push(...job.lingering);
      if (job.firstValue !== fn.map(`event 0000000000${PADDING}`)) {
        warnings.push(`${mode} mode: the first record at the sink was ${String(job.firstValue)}, not the checksum of the first event`);
      }
      runs.push({ mode, rssBefore, samples: job.measured, startUpMs: job.startUpMs });
    }

    const rows: ResultRow[] = runs.map((run) => rssRow(run, marks));
    const notes = runs.map((run) => describeRun(run, marks, alone.rowsPerSecond));
    return {
      title: backpressureMemory.title,
      workload:
        'an unbounded source (an async generator yielding ~100-byte strings as fast as it is let) into a map burning ' +
        `~${TARGET_MICROS} µs a record (\`Types.STRING()\` in, \`Types.LONG()\` out) into a counting sink, default configuration; ` +
        `the host's \`process.memoryUsage()\` sampled every second for ${marks.end} s from the first record at the sink, then the job is cancelled. ` +
        `Figure: the peak RSS from ${marks.end - marks.window} to ${marks.end} s / the peak RSS from ${marks.early} to ${marks.early + marks.window} s ` +
        '(target ≈ 1.0: bounded by configuration, not by input; peaks over windows, since RSS swings with each garbage collection). ' +
        'Thread mode\'s workers live in the host process, so its RSS includes them; process mode\'s workers are measured apart.',
      rows,
      notes: [
        ...notes,
        `the function: ${work.rounds} rounds, ${work.microsPerCall.toFixed(1)} µs a record called directly on the host's thread; ` +
          `the source alone (${formatCount(aloneRecords)} records straight into a sink, no function) ran at ${formatRate(alone.rowsPerSecond)}`,
        `one ${marks.end} s run per mode, process first (a run this long cannot be repeated within the suite's ten minutes); ` +
          `the range column is the lowest and the highest RSS of the samples from ${marks.early} s to ${marks.end} s, against the peak from ${marks.early} to ${marks.early + marks.window} s`,
        `start-up to the first record at the sink: ${runs.map((r) => `${r.mode} ${formatSeconds(r.startUpMs)}`).join(', ')}`,
      ],
      warnings,
    };
  },
};

function rssRow(run: ModeRun, marks: typeof MARKS_S): ResultRow {
  const rss = (s: MemorySample): number => s.rss;
  const early = peakBetween(run.samples, marks.early, marks.early + marks.window, rss);
  const end = peakBetween(run.samples, marks.end - marks.window, marks.end, rss);
  const late = run.samples.filter((s) => s.atS >= marks.early - 0.5).map(rss);
  return {
    figure: `${run.mode}: host peak RSS, ${marks.end - marks.window}–${marks.end} s / ${marks.early}–${marks.early + marks.window} s`,
    ratio: end / early,
    range: [Math.min(...late) / early, Math.max(...late) / early],
    caseAbsolute: megabytes(end),
    baselineAbsolute: megabytes(early),
  };
}

function describeRun(run: ModeRun, marks: typeof MARKS_S, sourceAlone: number): string {
  const { samples } = run;
  const at = (s: number) => sampleAt(samples, s);
  const points = [marks.early, marks.middle, marks.end];
  const maxRss = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
  const maxHeap = samples.reduce((a, b) => (b.heapUsed > a.heapUsed ? b : a));
  const slope = slopePerMinute(samples, marks.early, marks.end, (s) => s.rss) / 2 ** 20;
  const heapSlope = slopePerMinute(samples, marks.early, marks.end, (s) => s.heapUsed) / 2 ** 20;
  const last = samples.at(-1)!;
  const rate = (at(marks.end).records - at(marks.early).records) / (at(marks.end).atS - at(marks.early).atS);
  const workers = [...at(marks.end).workerRss.values()];
  const workerText =
    run.mode === 'process'
      ? `; worker process RSS at ${marks.early} / ${marks.end} s: ${megabytes(sum([...at(marks.early).workerRss.values()]))} / ${megabytes(sum(workers))}`
      : '';
  return (
    `**${run.mode}: host RSS ${megabytes(run.rssBefore)} before the job, then at ${points.map((p) => `${p} s ${megabytes(at(p).rss)}`).join(', ')}; ` +
    `max ${megabytes(maxRss.rss)} (at ${maxRss.atS.toFixed(0)} s); slope from ${marks.early} to ${marks.end} s ${signed(slope)} MiB/min**; ` +
    `heap used at ${points.map((p) => `${p} s ${megabytes(at(p).heapUsed)}`).join(', ')}, max ${megabytes(maxHeap.heapUsed)}, slope ${signed(heapSlope)} MiB/min; ` +
    `array buffers at ${marks.end} s ${megabytes(at(marks.end).arrayBuffers)}${workerText}; ` +
    `${formatCount(last.records)} records processed, ${formatRate(rate)} from ${marks.early} to ${marks.end} s ` +
    `(the source alone is ${(sourceAlone / rate).toFixed(0)}× faster)`
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

export default backpressureMemory;
