import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { labelOf, summariseProfile, type CpuProfile } from '../benchmarks/lib/cpu-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** Five nodes; samples give each a known self time (µs). */
const profile: CpuProfile = {
  startTime: 1_000_000,
  nodes: [
    { id: 1, callFrame: frame('(idle)') },
    { id: 2, callFrame: frame('(garbage collector)') },
    { id: 3, callFrame: frame('encode', 'file:///repo/shared/codec/fixed-width-encoders.ts', 9) },
    { id: 4, callFrame: frame('', 'sluice-fn:///lower', 0) },
    { id: 5, callFrame: frame('onData', 'file:///repo/node_modules/@grpc/grpc-js/build/src/call.js', 41) },
    { id: 6, callFrame: frame('encode', 'file:///repo/shared/codec/fixed-width-encoders.ts', 9) },
    { id: 7, callFrame: frame('compileSourceTextModule', 'node:internal/modules/esm/utils', 343) },
  ],
  samples: [1, 3, 3, 4, 2, 5, 1, 6, 7],
  timeDeltas: [4000, 1000, 2000, 3000, 500, 1500, 2000, 1000, 250],
};

describe('CPU profile summary (benchmarks/profile.ts)', () => {
  it('splits self time into idle and busy, by area and by function', () => {
    const s = summariseProfile('CPU.20261121.170335.4242.0.001.cpuprofile', profile, 4242);
    expect(s.label).toBe('host, main thread');
    expect(s.totalMs).toBe(15.25);
    expect(s.idleMs).toBe(6);
    expect(s.busyMs).toBe(9.25);
    expect(s.areas).toEqual([
      ['Arrow codec: rows ↔ columns (shared/codec)', 4],
      ['user code (the function; the sink in the host)', 3],
      ['gRPC, HTTP/2 and sockets', 1.5],
      ['garbage collection', 0.5],
      ['module loading', 0.25],
    ]);
    // Two profile nodes of one function (different call paths) are one row.
    expect(s.functions).toEqual([
      { name: 'encode', where: 'shared/codec/fixed-width-encoders.ts:10', selfMs: 4 },
      { name: '(anonymous)', where: 'sluice-fn:///lower:1', selfMs: 3 },
      { name: 'onData', where: 'node_modules/@grpc/grpc-js/build/src/call.js:42', selfMs: 1.5 },
      { name: '(garbage collector)', where: '', selfMs: 0.5 },
      { name: 'compileSourceTextModule', where: 'node:internal/modules/esm/utils:344', selfMs: 0.25 },
    ]);
  });

  it('counts only the samples taken within the window it is given', () => {
    // Samples end at 1,004,000 (idle), 1,005,000 and 1,007,000 (encode), 1,010,000 (the function), …
    const s = summariseProfile('CPU.1.2.4242.0.001.cpuprofile', profile, 4242, [1_005_000, 1_010_000]);
    expect(s.totalMs).toBe(6);
    expect(s.idleMs).toBe(0);
    expect(s.areas).toEqual([
      ['Arrow codec: rows ↔ columns (shared/codec)', 3],
      ['user code (the function; the sink in the host)', 3],
    ]);
  });

  it('labels threads and processes from the file name Node gives a profile', () => {
    expect(labelOf('CPU.20261121.170335.4242.0.001.cpuprofile', 4242)).toBe('host, main thread');
    expect(labelOf('CPU.20261121.170335.4242.3.004.cpuprofile', 4242)).toBe('host, thread 3 (a worker thread)');
    expect(labelOf('CPU.20261121.170335.5151.0.001.cpuprofile', 4242)).toBe('worker process 5151');
  });

  it("names the sources of frames in the workers' build, through its source maps", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-profile-'));
    try {
      mkdirSync(join(dir, 'worker', 'state'), { recursive: true });
      const source = ['export function lookup(keys: Map<string, number>, key: string): number {', '  return keys.get(key) ?? 0;', '}', ''];
      writeFileSync(join(dir, 'worker', 'state', 'lookup.ts'), source.join('\n'));
      const out = join(dir, 'node_modules', '.cache', 'sluice', 'worker', 'abc', 'chunk-X.mjs');
      buildSync({ entryPoints: [join(dir, 'worker', 'state', 'lookup.ts')], bundle: true, format: 'esm', sourcemap: 'linked', outfile: out, logLevel: 'silent' });
      const lines = readFileSync(out, 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes('keys.get(key)'));
      const column = lines[line]!.indexOf('keys.get');
      const built = pathToFileURL(out).href;
      const s = summariseProfile('CPU.1.2.5151.0.001.cpuprofile', {
        startTime: 0,
        nodes: [
          { id: 1, callFrame: { functionName: 'lookup', url: built, lineNumber: line, columnNumber: column } },
          // No mapping for a frame outside the build: it stays as it is.
          { id: 2, callFrame: frame('decode', 'file:///repo/node_modules/apache-arrow/ipc/reader.mjs', 4) },
        ],
        samples: [1, 2],
        timeDeltas: [3000, 1000],
      }, 4242);
      expect(s.functions).toEqual([
        { name: 'lookup', where: 'worker/state/lookup.ts:2', selfMs: 3 },
        { name: 'decode', where: 'node_modules/apache-arrow/ipc/reader.mjs:5', selfMs: 1 },
      ]);
      expect(s.areas).toEqual([
        ['worker runtime (worker/)', 3],
        ['apache-arrow / flatbuffers (IPC framing)', 1],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
