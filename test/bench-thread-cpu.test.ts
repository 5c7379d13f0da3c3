/** What cpu-per-record.ts reads from /proc, and how it reads a window off its samples. */
import { describe, expect, it } from 'vitest';
import { cpuBetween, parseStat, processCpu, type CpuSample } from '../benchmarks/lib/thread-cpu.ts';

describe('parseStat', () => {
  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    const line = '4242 (node (x) y) S 4100 4242 4100 0 -1 4194560 1200 0 0 0 731 52 0 0 20 0 11 0 5000 1000000 9000\n';
    expect(parseStat(line)).toEqual({ ppid: 4100, ticks: 783 });
  });

  it('refuses what is not a stat line', () => {
    expect(() => parseStat('no parenthesis here')).toThrow('not a /proc stat line: no parenthesis here');
    expect(() => parseStat('1 (a) S x')).toThrow('not a /proc stat line: 1 (a) S x');
  });
});

describe('processCpu', () => {
  it('is null for a process that does not exist', () => {
    expect(processCpu(2 ** 30)).toBe(null);
  });
});

function sample(at: number, cpu: Record<number, [number, number]>): CpuSample {
  return { at, byPid: new Map(Object.entries(cpu).map(([pid, [mainMs, otherMs]]) => [Number(pid), { mainMs, otherMs }])) };
}

describe('cpuBetween', () => {
  const samples = [
    sample(0, { 1: [0, 0] }),
    sample(100, { 1: [50, 10], 7: [0, 0] }),
    sample(200, { 1: [150, 30], 7: [80, 8] }),
    sample(300, { 1: [160, 40] }),
  ];

  it('interpolates each end between the samples around it', () => {
    expect(cpuBetween(samples, 1, 50, 250)).toEqual({ mainMs: 130, otherMs: 30 });
    expect(cpuBetween(samples, 7, 100, 150)).toEqual({ mainMs: 40, otherMs: 4 });
    expect(cpuBetween(samples, 1, 100, 200)).toEqual({ mainMs: 100, otherMs: 20 });
  });

  it('takes the last sample for an end past it only within the slack', () => {
    expect(cpuBetween(samples, 7, 100, 230)).toBe(null);
    expect(cpuBetween(samples, 7, 100, 230, 40)).toEqual({ mainMs: 80, otherMs: 8 });
  });

  it('is null for a process the samples do not cover from the start', () => {
    expect(cpuBetween(samples, 7, 50, 150)).toBe(null);
    expect(cpuBetween(samples, 9, 0, 300)).toBe(null);
  });
});
