/**
 * parallelism (P7): does a CPU-heavy function scale to a second core? The same job at
 * parallelism 2 against parallelism 1, in process and thread mode, interleaved:
 *
 *   rep 1:  p1 P  p2 P   p1 T  p2 T      (P / T = process / thread mode)
 *   rep 2:  p1 T  p2 T   p1 P  p2 P
 *
 * Each job runs for a fixed time window (windowed-job.ts) over a sequence too long to finish,
 * and is cancelled after it. The target is p2 / p1 ≥ 1.6 on a 2-core machine. Embedded mode is
 * left out: it calls every subtask's function on the host's one thread, so a second subtask
 * cannot add a core there.
 */
import { MapFunction, Types, type StreamExecutionEnvironment } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from '../lib/benchmark-case.ts';
import { calibrateWork } from '../lib/calibrate-work.ts';
import { formatRate, formatSeconds } from '../lib/format.ts';
import { interleave } from '../lib/interleave.ts';
import { ratioRow } from '../lib/ratio-row.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { median } from '../lib/stats.ts';
import type { ExecutionMode } from '../lib/timed-job.ts';
import { runWindowedJob, type WindowedJob } from '../lib/windowed-job.ts';

const MODES: readonly ExecutionMode[] = ['process', 'thread'];
/** The function's own cost per record: heavy enough that the runtime's per-record cost is small beside it. */
const TARGET_MICROS = 75;
const WARM_UP_MS = 500;
const WINDOW_MS = 1500;
const QUICK_WINDOW_MS = 500;
/** Far more than any window can read at tens of thousands of records per second. */
const SEQUENCE_END = 1_000_000_000_000;
const TARGET_RATIO = 1.6;
/**
 * At ~75 µs a record the default 10,000-row batch takes 0.75 s of the function's time, so a
 * worker would hold a few batches a window and a rebalance would hand out work in 0.75 s
 * lumps; 1,000 rows (75 ms) keep both fine-grained. Everything else is the default.
 */
const CONFIG = { 'udf.arrow.batch.size': 1000 };

// Not exported: the worker gets it as source. A mixing loop whose result depends on every round,
// so that no round can be optimised away; `rounds` is an own field, so it travels with the object.
class BusyHash extends MapFunction<number, number> {
  constructor(private readonly rounds: number) {
    super();
  }
  map(x: number): number {
    let h = x | 0;
    for (let i = 0; i < this.rounds; i++) h = (Math.imul(h ^ (h >>> 13), 0x5bd1e995) + i) | 0;
    return h;
  }
}

function pipeline(env: StreamExecutionEnvironment, fn: BusyHash, parallelism: number) {
  // The sequence is read by one subtask and rebalanced round-robin over the map's subtasks.
  return env.fromSequence(1, SEQUENCE_END).setParallelism(1).map(fn, Types.LONG()).name('busy hash').setParallelism(parallelism);
}

const parallelism: BenchmarkCase = {
  title: 'CPU-heavy map at parallelism 2 against parallelism 1 (P7)',
  async run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const { quick } = ctx.options;
    const repetitions = scaledRepetitions(ctx.options, 0.6);
    const windowMs = quick ? QUICK_WINDOW_MS : WINDOW_MS;
    const work = calibrateWork((rounds) => {
      const f = new BusyHash(rounds);
      return (x) => f.map(x);
    }, TARGET_MICROS);
    const fn = new BusyHash(work.rounds);
    ctx.progress(`function: ${work.rounds} rounds, ${work.microsPerCall.toFixed(1)} µs per record on the host's thread`);
    const warnings: string[] = [];
    const job = (mode: ExecutionMode, p: number): Promise<WindowedJob> =>
      runWindowedJob({
        name: `busy hash p=${p}`,
        mode,
        config: CONFIG,
        pipeline: (env) => pipeline(env, fn, p),
        warmUpMs: WARM_UP_MS,
        windowMs,
        onWorkerPids: (pids) => ctx.workerPids(pids),
      }).then((j) => {
        warnings.push(...j.lingering);
        // At parallelism 2 either subtask's first batch may come back first, so only p=1 has a known first record.
        if (p === 1 && j.firstValue !== fn.map(1)) {
          warnings.push(`${mode} p=1: the first record at the sink was ${String(j.firstValue)}, expected ${fn.map(1)}`);
        }
        return j;
      });

    const reps = await interleave<ExecutionMode, WindowedJob, WindowedJob>({
      variants: MODES,
      repetitions,
      measureBaseline: (mode) => job(mode, 1),
      measure: (mode) => job(mode, 2),
      onRepetition: (rep, r) =>
        ctx.progress(
          `rep ${r + 1}/${repetitions}: ` +
            MODES.map((m) => `${m} p2 ${formatRate(rep.result.get(m)!.rowsPerSecond)} / p1 ${formatRate(rep.baseline.get(m)!.rowsPerSecond)}`).join(', '),
        ),
    });

    const rows: ResultRow[] = MODES.map((mode) =>
      ratioRow(
        `${mode}: parallelism 2 / parallelism 1`,
        reps.map((r) => ({ value: r.result.get(mode)!.rowsPerSecond, baseline: r.baseline.get(mode)!.rowsPerSecond })),
        formatRate,
        warnings,
      ),
    );
    const verdicts = rows.map((row) => `${row.figure} ${row.ratio.toFixed(2)}: ${row.ratio >= TARGET_RATIO ? 'meets' : 'misses'} the target (≥ ${TARGET_RATIO})`);
    const startUps = MODES.map((m) => {
      const p1 = median(reps.map((r) => r.baseline.get(m)!.startUpMs));
      const p2 = median(reps.map((r) => r.result.get(m)!.startUpMs));
      return `${m} ${formatSeconds(p1)} (p1), ${formatSeconds(p2)} (p2)`;
    });
    const perRecordP1 = MODES.map((m) => `${m} ${(1e6 / median(reps.map((r) => r.baseline.get(m)!.rowsPerSecond))).toFixed(1)} µs`);
    return {
      title: parallelism.title,
      workload:
        `a map burning ~${TARGET_MICROS} µs per record in a mixing loop whose result depends on every round ` +
        '(`Types.LONG()` in and out) over `fromSequence` read by one subtask and rebalanced over the map\'s subtasks, ' +
        `into a counting sink; \`udf.arrow.batch.size\` ${CONFIG['udf.arrow.batch.size']} (see notes), the rest default; the ratio is records/s at parallelism 2 over records/s at parallelism 1, same mode, same repetition. ` +
        `Target: ≥ ${TARGET_RATIO} on 2 cores.`,
      rows,
      notes: [
        `**${verdicts.join('; ')}**`,
        `the function: ${work.rounds} rounds, ${work.microsPerCall.toFixed(1)} µs per record called directly on the host's thread; ` +
          `wall time per record at parallelism 1 (median): ${perRecordP1.join(', ')}`,
        `${repetitions} repetitions (a share of --reps: every job costs its start-up and window whatever the machine); ` +
          `each job timed at the sink for ${formatSeconds(windowMs)} after ${formatSeconds(WARM_UP_MS)} of warm-up from its first record, then cancelled`,
        `start-up to the first record at the sink (median): ${startUps.join('; ')}`,
        'the host (source, rebalance, sink, and in thread mode the worker threads too) shares the 2 cores with the workers',
        `udf.arrow.batch.size ${CONFIG['udf.arrow.batch.size']}: the default 10,000 rows would be 0.75 s of work per batch, handed out in lumps too big for a ${formatSeconds(windowMs)} window`,
      ],
      warnings,
    };
  },
};

export default parallelism;
