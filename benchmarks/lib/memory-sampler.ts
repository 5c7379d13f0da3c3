/**
 * Memory of the host process (and of worker processes, read from /proc) sampled on a schedule,
 * and what backpressure-memory reports from the samples.
 */
import { readFileSync } from 'node:fs';

export interface MemorySample {
  /** Seconds since the sampling started. */
  atS: number;
  /** process.memoryUsage() of the host, in bytes. */
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Records that had reached the sink. */
  records: number;
  /** Resident memory of each worker process (bytes), by pid; empty in thread and embedded mode. */
  workerRss: Map<number, number>;
}

export function sampleMemory(atS: number, records: number, workerPids: readonly number[]): MemorySample {
  const m = process.memoryUsage();
  const workerRss = new Map<number, number>();
  for (const pid of workerPids) {
    const rss = residentBytesOf(pid);
    if (rss !== null) workerRss.set(pid, rss);
  }
  return { atS, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, records, workerRss };
}

/** VmRSS of a process from /proc (Linux); null where there is no /proc or the process is gone. */
function residentBytesOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    const kib = line === undefined ? NaN : Number.parseInt(line.slice('VmRSS:'.length), 10);
    return Number.isFinite(kib) ? kib * 1024 : null;
  } catch {
    return null;
  }
}

/** The sample taken closest to `atS` seconds. */
export function sampleAt(samples: readonly MemorySample[], atS: number): MemorySample {
  let best = samples[0];
  if (best === undefined) throw new Error('no memory samples');
  for (const s of samples) if (Math.abs(s.atS - atS) < Math.abs(best.atS - atS)) best = s;
  return best;
}

/**
 * The highest `value` of the samples taken from `fromS` to `toS` seconds (inclusive, to the
 * half second). A peak over a window, not one sample: the heap grows and shrinks with each
 * garbage collection, and which end of that swing a lone sample falls on is chance.
 */
export function peakBetween(samples: readonly MemorySample[], fromS: number, toS: number, value: (s: MemorySample) => number): number {
  let peak = -Infinity;
  for (const s of samples) if (s.atS >= fromS - 0.5 && s.atS <= toS + 0.5) peak = Math.max(peak, value(s));
  if (peak === -Infinity) throw new Error(`no memory samples from ${fromS} to ${toS} s`);
  return peak;
}

/** Least-squares slope of `value` over the samples taken from `fromS` to `toS`, per minute. */
export function slopePerMinute(samples: readonly MemorySample[], fromS: number, toS: number, value: (s: MemorySample) => number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of samples) {
    if (s.atS < fromS - 0.5 || s.atS > toS + 0.5) continue;
    xs.push(s.atS / 60);
    ys.push(value(s));
  }
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
