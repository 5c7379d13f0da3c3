/**
 * CPU time of the host and of its worker processes, by thread, from /proc (Linux): sampled on a
 * schedule while a job runs, then read over the job's timed window. CPU time per record does
 * not depend on how the machine's two cores were shared out at the time, which moves the
 * throughput of a job from run to run by more than most changes under study (RESULTS.md,
 * nineteenth round).
 *
 *   every intervalMs: /proc/<host>/task/*\/stat, /proc/<child>/task/*\/stat  ─▶ samples
 *   afterwards:       CPU at the window's end − CPU at its start (each interpolated between samples)
 *
 * A process's main thread is the one whose thread id is the process id; its other threads are
 * V8's helpers (garbage collection, compilation), libuv's pool, and in thread mode the workers.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time spent by one process, in ms: its main thread, and all its other threads together. */
export interface ProcessCpu {
  mainMs: number;
  otherMs: number;
}

/** The fields of a /proc/<pid>/stat (or task stat) line that matter here. */
export interface StatFields {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/**
 * Reads a stat line. The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'; ppid is field 4, utime and stime are
 * fields 14 and 15 (proc(5)).
 */
export function parseStat(line: string): StatFields {
  const close = line.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  const fields = line.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (the state).
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![ppid, utime, stime].every(Number.isInteger)) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  return { ppid, ticks: utime + stime };
}

let ticksPerSecond: number | null = null;

/** The kernel's clock ticks per second (getconf CLK_TCK; 100 where it cannot be asked). */
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The CPU time of `pid` so far, by thread; null when the process is gone (or there is no /proc). */
export function processCpu(pid: number): ProcessCpu | null {
  const msPerTick = 1000 / clockTicks();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const cpu: ProcessCpu = { mainMs: 0, otherMs: 0 };
  for (const tid of tids) {
    let line: string;
    try {
      line = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const ms = parseStat(line).ticks * msPerTick;
    if (tid === String(pid)) cpu.mainMs += ms;
    else cpu.otherMs += ms;
  }
  return cpu;
}

/**
 * The processes whose parent is `pid` and whose command line holds `marker` (for the host: its
 * workers, which run worker/bootstrap.mjs; not, say, the esbuild service tsx starts).
 */
export function childProcesses(pid: number, marker: string): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')).ppid !== pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** What a worker process's command line holds (host/workers/process-launcher.ts starts it). */
export const WORKER_MARKER = 'worker/bootstrap.mjs';

export interface CpuSample {
  /** performance.now() when it was taken. */
  at: number;
  /** By process id: the host's and each child's CPU so far. */
  byPid: Map<number, ProcessCpu>;
}

/**
 * The CPU time `pid` spent between `from` and `to` (performance.now() ms), each end read off the
 * samples by linear interpolation between the two around it; an end past the process's last
 * sample by at most `slackMs` takes that sample (a worker may exit within a sampling interval of
 * the last record). Null when the samples do not cover both ends for that process.
 */
export function cpuBetween(samples: readonly CpuSample[], pid: number, from: number, to: number, slackMs = 0): ProcessCpu | null {
  const start = cpuAt(samples, pid, from, 0);
  const end = cpuAt(samples, pid, to, slackMs);
  if (start === null || end === null) return null;
  return { mainMs: end.mainMs - start.mainMs, otherMs: end.otherMs - start.otherMs };
}

function cpuAt(samples: readonly CpuSample[], pid: number, at: number, slackMs: number): ProcessCpu | null {
  let before: CpuSample | null = null;
  let after: CpuSample | null = null;
  for (const s of samples) {
    if (!s.byPid.has(pid)) continue;
    if (s.at <= at && (before === null || s.at > before.at)) before = s;
    if (s.at >= at && (after === null || s.at < after.at)) after = s;
  }
  if (before !== null && after === null && at - before.at <= slackMs) return before.byPid.get(pid)!;
  if (before === null || after === null) return null;
  const a = before.byPid.get(pid)!;
  const b = after.byPid.get(pid)!;
  if (after.at === before.at) return a;
  const f = (at - before.at) / (after.at - before.at);
  return { mainMs: a.mainMs + f * (b.mainMs - a.mainMs), otherMs: a.otherMs + f * (b.otherMs - a.otherMs) };
}

/**
 * Samples the host's and its worker processes' CPU every `intervalMs` until stopped. The workers
 * are looked for every tenth sample (a scan of /proc), and followed in between.
 */
export function startCpuSampler(intervalMs: number): { samples: CpuSample[]; stop(): void } {
  const samples: CpuSample[] = [];
  const host = process.pid;
  let children: number[] = [];
  const take = (): void => {
    if (samples.length % 10 === 0) children = childProcesses(host, WORKER_MARKER);
    const byPid = new Map<number, ProcessCpu>();
    for (const pid of [host, ...children]) {
      const cpu = processCpu(pid);
      if (cpu !== null) byPid.set(pid, cpu);
    }
    samples.push({ at: performance.now(), byPid });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}
