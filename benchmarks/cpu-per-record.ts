/**
 * CPU time per record, by process and thread, over one job's timed window:
 * `npx tsx benchmarks/cpu-per-record.ts <case-id> [--mode process|thread|embedded] [--records N]`
 * runs one job of a case (its `profileJob`, as profile.ts does) while lib/thread-cpu.ts samples
 * /proc, and prints, for the host and each worker process, the CPU its main thread and its other
 * threads spent per record between the W-th and the last record at the sink. Unlike a rate, it
 * does not move with how the two cores were shared out at the time; run it on two commits,
 * alternately, to compare them.
 *
 *   profileJob ──▶ host + workers      sampler: /proc/<pid>/task/*\/stat every 20 ms
 *   window [record W, record N] at the sink ──▶ CPU at its end − CPU at its start, ÷ (N − W)
 */
import { addLogSink, setLogLevel } from '../host/index.ts';
import { loadCaseJob, parseCaseJobArgs } from './lib/case-job.ts';
import { formatRate } from './lib/format.ts';
import { cpuBetween, startCpuSampler } from './lib/thread-cpu.ts';

const USAGE = 'usage: npx tsx benchmarks/cpu-per-record.ts <case-id> [--mode process|thread|embedded] [--records N]';
const INTERVAL_MS = 20;

const args = parseCaseJobArgs(process.argv.slice(2), USAGE);
setLogLevel('warn');
addLogSink(() => undefined);
const profileJob = await loadCaseJob(args.caseId);

const sampler = startCpuSampler(INTERVAL_MS);
let job;
try {
  job = await profileJob(args.mode, args.records, () => undefined);
} finally {
  sampler.stop();
}
const [from, to] = job.window;
const timedRecords = job.timedRecords;
const pids = [...new Set(sampler.samples.flatMap((s) => [...s.byPid.keys()]))].sort((a, b) => a - b);
const ns = (ms: number): string => ((ms * 1e6) / timedRecords).toFixed(0);

const lines = [
  `\`npx tsx benchmarks/cpu-per-record.ts ${args.caseId} --mode ${args.mode}${args.records ? ` --records ${args.records}` : ''}\`: ` +
    `${job.records.toLocaleString('en-US')} records at ${formatRate(job.rowsPerSecond)}; CPU time over the timed window ` +
    `(${(job.windowMs / 1000).toFixed(2)} s, ${Math.round(timedRecords).toLocaleString('en-US')} records), sampled every ${INTERVAL_MS} ms`,
  '',
  '| process | main thread, ns a record | other threads, ns a record |',
  '|---|---:|---:|',
];
for (const pid of pids) {
  const cpu = cpuBetween(sampler.samples, pid, from, to, 2 * INTERVAL_MS);
  if (cpu === null) continue; // not alive over the whole window
  const name = pid === process.pid ? 'host' : `worker process ${pid}`;
  lines.push(`| ${name} | ${ns(cpu.mainMs)} | ${ns(cpu.otherMs)} |`);
}
console.log(lines.join('\n'));
