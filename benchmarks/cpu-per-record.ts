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
import type { BenchmarkCase } from './lib/benchmark-case.ts';
import { caseIds, caseModuleUrl } from './lib/case-registry.ts';
import { formatRate } from './lib/format.ts';
import { cpuBetween, startCpuSampler } from './lib/thread-cpu.ts';
import type { ExecutionMode } from './lib/timed-job.ts';

const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];
const USAGE = 'usage: npx tsx benchmarks/cpu-per-record.ts <case-id> [--mode process|thread|embedded] [--records N]';
const INTERVAL_MS = 20;

function parseArgs(argv: readonly string[]): { caseId: string; mode: ExecutionMode; records: number | null } {
  const args = { caseId: '', mode: 'process' as ExecutionMode, records: null as number | null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--mode') {
      const mode = argv[++i] as ExecutionMode;
      if (!MODES.includes(mode)) throw new Error(`--mode takes one of ${MODES.join(', ')}\n${USAGE}`);
      args.mode = mode;
    } else if (arg === '--records') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--records takes a positive integer\n${USAGE}`);
      args.records = n;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else args.caseId = arg;
  }
  if (!caseIds().includes(args.caseId)) throw new Error(`${USAGE}\nthe cases are: ${caseIds().join(', ')}`);
  return args;
}

const args = parseArgs(process.argv.slice(2));
setLogLevel('warn');
addLogSink(() => undefined);
const benchmark = ((await import(caseModuleUrl(args.caseId))) as { default: BenchmarkCase }).default;
if (benchmark.profileJob === undefined) throw new Error(`case '${args.caseId}' has no profileJob: it cannot be measured here`);

const sampler = startCpuSampler(INTERVAL_MS);
let job;
try {
  job = await benchmark.profileJob(args.mode, args.records, () => undefined);
} finally {
  sampler.stop();
}
const [from, to] = job.window;
const timedRecords = (job.rowsPerSecond * job.windowMs) / 1000;
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
