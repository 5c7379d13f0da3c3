/**
 * Where the time goes: `npx tsx benchmarks/profile.ts <case-id> [--mode process|thread|embedded]
 * [--records N] [--top N]` runs one job of a case (its `profileJob`) with V8's CPU profiler on
 * the host and on every worker, and prints, per profiled thread, its busy time split by area
 * (the Arrow codec, the transport, protobuf, the user function, the runtime, GC, …) and the
 * functions with the most self time, as Markdown for RESULTS.md.
 *
 *   profile.ts ── spawn(node --cpu-prof profile.ts --child …) ──▶ host of the job
 *                   SLUICE_WORKER_EXEC_ARGV=--cpu-prof           └─▶ worker processes
 *              ◀── one .cpuprofile per thread, in a temporary directory
 *
 * Only samples taken in the job's timed window count (the steady state). Profiling slows a job
 * down by a few per cent; read the shares, not the times.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addLogSink, setLogLevel } from '../host/index.ts';
import { loadCaseJob, parseCaseJobArgs, type CaseJobArgs } from './lib/case-job.ts';
import { formatRate } from './lib/format.ts';
import { summariseProfile, type CpuProfile, type ProfileSummary } from './lib/cpu-profile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const USAGE = 'usage: npx tsx benchmarks/profile.ts <case-id> [--mode process|thread|embedded] [--records N] [--top N]';

interface ChildReport {
  records: number;
  rowsPerSecond: number;
  /** The host's process id. */
  pid: number;
  /** The job's timed window, in µs of the monotonic clock the profiles use. */
  windowUs: [number, number];
}

interface Args extends CaseJobArgs {
  top: number;
  child: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let top = 12;
  let child = false;
  const job = parseCaseJobArgs(argv, USAGE, { '--top': (count) => (top = count()), '--child': () => (child = true) });
  return { ...job, top, child };
}

/** In the profiled process: runs the job, reports its rate on stdout as JSON. */
async function runChild(args: Args): Promise<void> {
  setLogLevel('warn');
  addLogSink(() => undefined);
  const profileJob = await loadCaseJob(args.caseId);
  const job = await profileJob(args.mode, args.records, () => undefined);
  // performance.now() and the profiles' clock (monotonic µs) differ by a constant.
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  const report: ChildReport = {
    records: job.records,
    rowsPerSecond: job.rowsPerSecond,
    pid: process.pid,
    windowUs: [job.window[0] * 1000 + offsetUs, job.window[1] * 1000 + offsetUs],
  };
  process.stdout.write(JSON.stringify(report));
}

async function runParent(args: Args): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-profile-'));
  try {
    const profArgs = `--cpu-prof --cpu-prof-dir=${dir}`;
    const child = spawn(
      process.execPath,
      [...profArgs.split(' '), '--import', 'tsx', SELF, args.caseId, '--child', '--mode', args.mode, ...(args.records ? ['--records', String(args.records)] : [])],
      { cwd: ROOT, env: { ...process.env, SLUICE_WORKER_EXEC_ARGV: profArgs }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`the profiled job failed (exit code ${code})`);
    const job = JSON.parse(out) as ChildReport;
    const profiles = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => summariseProfile(f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, job.pid, job.windowUs))
      .filter((p) => p.busyMs >= 0.05 * p.totalMs)
      .sort((a, b) => a.label.localeCompare(b.label));
    console.log(render(args, job, profiles));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(args: Args, job: ChildReport, profiles: ProfileSummary[]): string {
  const ms = (x: number): string => `${Math.round(x)} ms`;
  const pct = (x: number, of: number): string => `${((100 * x) / of).toFixed(1)} %`;
  const lines = [
    `#### ${args.caseId}, ${args.mode} mode: CPU profile`,
    '',
    `\`npx tsx benchmarks/profile.ts ${args.caseId} --mode ${args.mode}${args.records ? ` --records ${args.records}` : ''}\`: ` +
      `${job.records.toLocaleString('en-US')} records at ${formatRate(job.rowsPerSecond)} (profiled); only the samples ` +
      `taken in the job's timed window (${((job.windowUs[1] - job.windowUs[0]) / 1e6).toFixed(2)} s, from 5 % of the records ` +
      'to the last at the sink) count, so start-up and shutdown are left out, as are threads busy for under 5 % of it.',
  ];
  for (const p of profiles) {
    lines.push('', `**${p.label}**: busy ${ms(p.busyMs)} of ${ms(p.totalMs)} (idle ${pct(p.idleMs, p.totalMs)})`, '');
    lines.push('| area | self time | share of busy |', '|---|---:|---:|');
    for (const [area, t] of p.areas) lines.push(`| ${area} | ${ms(t)} | ${pct(t, p.busyMs)} |`);
    lines.push('', '| function (self time) | where | self time | share of busy |', '|---|---|---:|---:|');
    for (const f of p.functions.slice(0, args.top)) lines.push(`| \`${f.name}\` | ${f.where} | ${ms(f.selfMs)} | ${pct(f.selfMs, p.busyMs)} |`);
  }
  return lines.join('\n');
}

const args = parseArgs(process.argv.slice(2));
await (args.child ? runChild(args) : runParent(args));
