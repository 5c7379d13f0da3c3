/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by area of the
 * code, so that a profile of a job reads as "how much of the worker's busy time is the Arrow
 * codec, the transport, the user function, GC".
 */
import { SourceMappedFrames, type CallFrame } from './source-mapped-frames.ts';

/** The parts of a .cpuprofile this reads (the Chrome DevTools Profiler.Profile format). */
export interface CpuProfile {
  /** Frames in the workers' build are read as the sources they came from (source-mapped-frames.ts). */
  nodes: { id: number; callFrame: CallFrame }[];
  /** Microseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Which thread of which process: host main thread, a worker thread, a worker process. */
  label: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Busy time by area, largest first. */
  areas: [string, number][];
  /** Busy time by function (self time), largest first. */
  functions: { name: string; where: string; selfMs: number }[];
}

/** Area rules, first match wins: a test of the script's URL (or of the function's name for native frames). */
const AREAS: [string, (url: string, name: string) => boolean][] = [
  ['garbage collection', (_u, n) => n === '(garbage collector)'],
  ['V8 (program)', (_u, n) => n === '(program)'],
  ['Arrow codec: rows ↔ columns (shared/codec)', (u) => u.includes('/shared/codec/')],
  ['apache-arrow / flatbuffers (IPC framing)', (u) => /node_modules\/(apache-arrow|flatbuffers)\//.test(u)],
  ['protobuf (protobufjs, generated code)', (u) => u.includes('node_modules/protobufjs/') || u.includes('/shared/generated/')],
  ['gRPC, HTTP/2 and sockets', (u) => u.includes('node_modules/@grpc/') || /^node:(internal\/)?(http2|net|streams?|stream_base_commons)\b/.test(u)],
  ['worker_threads messaging', (u, n) => u.startsWith('node:internal/worker') || u.startsWith('node:internal/event_target') || n === 'postMessage'],
  ['module loading', (u) => /node:internal\/(modules|bootstrap|deps\/cjs-module-lexer)|node_modules\/(tsx|esbuild)\/|source_map/.test(u)],
  ['user code (the function; the sink in the host)', (u) => u.startsWith('sluice-fn:') || u.includes('/benchmarks/')],
  ['host runtime (host/)', (u) => u.includes('/host/')],
  ['worker runtime (worker/)', (u) => u.includes('/worker/')],
  ['shared runtime (shared/)', (u) => u.includes('/shared/')],
  ['other libraries', (u) => u.includes('/node_modules/')],
  ['Node internals', (u) => u.startsWith('node:')],
  ['native and builtins (microtasks, encoders, …)', () => true],
];

/** `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`, as Node names them. */
export function labelOf(fileName: string, hostPid: number): string {
  const parts = fileName.split('.');
  const pid = Number(parts[3]);
  const thread = Number(parts[4]);
  if (pid === hostPid) return thread === 0 ? 'host, main thread' : `host, thread ${thread} (a worker thread)`;
  return thread === 0 ? `worker process ${pid}` : `worker process ${pid}, thread ${thread}`;
}

/**
 * Self time by function and area of the samples taken within `window` (µs of the monotonic
 * clock, the same in every process of the machine): the steady state of a job, without its
 * start-up and shutdown. A sample counts for the time since the previous one.
 */
export function summariseProfile(
  fileName: string,
  profile: CpuProfile,
  hostPid: number,
  window: [number, number] = [-Infinity, Infinity],
): ProfileSummary {
  const sources = new SourceMappedFrames();
  const frames = new Map(profile.nodes.map((n) => [n.id, sources.original(n.callFrame)]));
  const selfByNode = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < window[0] || at > window[1]) continue;
    const id = profile.samples[i]!;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
  }
  let totalUs = 0;
  let idleUs = 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  for (const [id, us] of selfByNode) {
    const frame = frames.get(id)!;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = AREAS.find(([, test]) => test(frame.url, frame.functionName))![0];
    areas.set(area, (areas.get(area) ?? 0) + us / 1000);
    const name = frame.functionName || '(anonymous)';
    const where = frame.url === '' ? '' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
  }
  return {
    label: labelOf(fileName, hostPid),
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    areas: [...areas].sort((a, b) => b[1] - a[1]),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** A script URL relative to the project (or the package under node_modules). */
function shortUrl(url: string): string {
  const local = /\/((?:node_modules\/(?:@[^/]+\/)?[^/]+)|host|worker|shared|benchmarks)\/(.*)$/.exec(url);
  return local === null ? url : `${local[1]}/${local[2]}`;
}
