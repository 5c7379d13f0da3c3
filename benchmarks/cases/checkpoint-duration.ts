/**
 * checkpoint-duration (P4): how long a checkpoint takes, from its barriers being injected at the
 * sources to its completion (snapshots taken, stored), while the job runs at full load: a source
 * as fast as the pipeline takes records, a function that costs ~1 µs per record, default
 * configuration (bundle size 100,000, Arrow batches of 10,000), a checkpoint every 500 ms.
 * PyFlink reports 2–5 s in process mode, because its checkpoints wait for the open bundle.
 *
 * The figures are absolute durations (the target is one: ≤ 100 ms); the embedded-mode job, run
 * in the same repetition, is printed beside each as the baseline a checkpoint costs when no data
 * crosses to a worker.
 */
import { addLogSink, getLogLevel, setLogLevel, type StreamExecutionEnvironment } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, ResultRow } from '../lib/benchmark-case.ts';
import { interleave } from '../lib/interleave.ts';
import { runUntilCancelled, sleep } from '../lib/job-until-cancelled.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { median, range } from '../lib/stats.ts';
import type { ExecutionMode } from '../lib/timed-job.ts';

const INTERVAL_MS = 500;
const RUN_MS = 4_000;
const QUICK_RUN_MS = 2_500;

// Not exported: the worker gets it as source. Busy for ~1 µs: what a light function costs.
const oneMicrosecond = (x: number): number => {
  const end = performance.now() + 0.001;
  let n = x;
  while (performance.now() < end) n = (n * 31 + 7) % 1_000_003;
  return n;
};

function pipeline(env: StreamExecutionEnvironment) {
  return env.fromSequence(1, 1e12).map(oneMicrosecond);
}

interface Run {
  durations: number[];
  records: number;
}

async function measureMode(mode: ExecutionMode, runMs: number, ctx: CaseContext): Promise<Run> {
  const durations: number[] = [];
  // Completed checkpoints are logged at info level; the suite logs only warnings (case-process.ts).
  const level = getLogLevel();
  setLogLevel('info');
  const remove = addLogSink((r) => {
    const m = /^checkpoint \d+ complete in ([\d.]+) ms/.exec(r.message);
    if (m !== null) durations.push(Number(m[1]));
  });
  try {
    const job = await runUntilCancelled(
      {
        name: 'checkpoint duration',
        mode,
        config: { 'execution.checkpointing.interval': INTERVAL_MS },
        pipeline,
        onWorkerPids: (pids) => ctx.workerPids(pids),
      },
      async (running) => {
        // The first checkpoints find the pipeline filling up: measure once it runs.
        await sleep(runMs);
        running.checkRunning();
        return running.count.count;
      },
    );
    return { durations: durations.slice(1), records: job.measured };
  } finally {
    remove();
    setLogLevel(level);
  }
}

const checkpointDuration: BenchmarkCase = {
  title: 'checkpoint duration under full load (P4)',
  async run(ctx) {
    const runMs = ctx.options.quick ? QUICK_RUN_MS : RUN_MS;
    const modes: ExecutionMode[] = ['process', 'thread'];
    const reps = await interleave<ExecutionMode, Run, Run>({
      variants: modes,
      repetitions: scaledRepetitions(ctx.options, 0.6),
      measureBaseline: () => measureMode('embedded', runMs, ctx),
      measure: (mode) => measureMode(mode, runMs, ctx),
      onRepetition: (rep, r) =>
        ctx.progress(
          `rep ${r + 1}: ` +
            modes
              .map((m) => `${m} p50 ${median(rep.result.get(m)!.durations).toFixed(1)} ms (${rep.result.get(m)!.durations.length} checkpoints)`)
              .join(', '),
        ),
    });
    const rows: ResultRow[] = [];
    const warnings: string[] = [];
    for (const mode of modes) {
      const all = reps.flatMap((r) => r.result.get(mode)!.durations);
      const base = reps.flatMap((r) => r.baseline.get(mode)!.durations);
      if (all.length === 0) warnings.push(`${mode} mode: no checkpoint completed during the run`);
      const p50 = median(all);
      const max = Math.max(...all);
      rows.push({
        figure: `${mode}: checkpoint duration p50 (ms, absolute)`,
        ratio: p50,
        range: range(all),
        caseAbsolute: `p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${all.length} checkpoints`,
        baselineAbsolute: `embedded p50 ${median(base).toFixed(1)} ms`,
      });
    }
    const records = reps.map((r) => modes.map((m) => `${m} ${r.result.get(m)!.records}`).join(', '));
    return {
      title: checkpointDuration.title,
      workload:
        `fromSequence → map (~1 µs busy per record) → counting sink, default configuration, a checkpoint every ${INTERVAL_MS} ms ` +
        `for ${runMs / 1000} s per job (the first checkpoint of each job is left out: the pipeline is still filling)`,
      rows,
      notes: [`records through the job per run: ${records.join('; ')}`, 'the "ratio" column of the duration rows is the p50 in ms'],
      warnings,
    };
  },
};

export default checkpointDuration;
