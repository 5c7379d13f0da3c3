/**
 * Process mode: each worker is a separate Node process, spawned with execa, that dials the
 * host's gRPC endpoint. Its stdout and stderr go to the host's log; the last lines of stderr
 * are kept for the failure report. A memory limit becomes V8's heap limit.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Logger } from '../log.ts';
import type { GrpcEndpoint } from './grpc-endpoint.ts';
import type { WorkerBuild } from './worker-build.ts';
import { OutputTail } from './output-tail.ts';
import { looksOutOfMemory, type WorkerExit, type WorkerHandle } from './worker-handle.ts';

const BOOTSTRAP = fileURLToPath(new URL('../../worker/bootstrap.mjs', import.meta.url));
const MIB = 1024 * 1024;

export interface LaunchOptions {
  workerId: string;
  memoryLimitBytes: number;
  log: Logger;
  /** Where the worker loads from (worker-build.ts); null: from source. */
  build: WorkerBuild | null;
}

export interface ProcessLaunchOptions extends LaunchOptions {
  /** udf.process.data-thread: whether Data goes through the worker's relay thread (worker/stream-relay.ts). */
  dataThread: boolean;
}

export function launchProcessWorker(endpoint: GrpcEndpoint, options: ProcessLaunchOptions): WorkerHandle {
  const { workerId, log } = options;
  const { token, connection } = endpoint.expectWorker(workerId);
  // Extra node flags for workers, for debugging and profiling (e.g. "--cpu-prof --inspect=0").
  const args: string[] = (process.env['SLUICE_WORKER_EXEC_ARGV'] ?? '').split(/\s+/).filter((a) => a !== '');
  if (options.memoryLimitBytes > 0) {
    args.push(`--max-old-space-size=${Math.max(16, Math.floor(options.memoryLimitBytes / MIB))}`);
  }
  args.push(BOOTSTRAP);
  const child = execa(process.execPath, args, {
    env: {
      SLUICE_ENDPOINT: endpoint.address,
      SLUICE_WORKER_ID: workerId,
      SLUICE_TOKEN: token,
      SLUICE_WORKER_BUILD: options.build === null ? '' : JSON.stringify(options.build),
      SLUICE_DATA_THREAD: options.dataThread ? '1' : '0',
    },
    extendEnv: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
  });
  const stderrTail = new OutputTail();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line !== '') log.write({ level: 'info', time: Date.now(), message: line, workerId });
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of stderrTail.push(chunk)) {
      if (line !== '') log.write({ level: 'warn', time: Date.now(), message: line, workerId });
    }
  });
  const exited: Promise<WorkerExit> = child.then((result) => {
    endpoint.forget(workerId);
    const tail = stderrTail.text();
    return {
      code: result.exitCode ?? null,
      signal: result.signal ?? null,
      outOfMemory: looksOutOfMemory(tail),
      stderrTail: tail,
    };
  });
  return {
    id: workerId,
    mode: 'process',
    pid: child.pid,
    connection,
    exited,
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}
