/**
 * Thread mode: each worker is a worker_thread in the host process, connected by four
 * MessagePorts (one per service). Same harness, same protocol; Arrow buffers move between the
 * threads instead of being copied. A memory limit becomes the thread's resourceLimits. The
 * worker counts as connected when the thread says it is ready (shared/protocol/thread-ready.ts).
 * The State port has a doorbell in shared memory (shared/protocol/port-signal.ts), which the
 * host rings after each answer, so that the worker can block its thread for one.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { SignallingPortChannel } from '../../shared/protocol/blocking-port-channel.ts';
import type { HostConnection } from '../../shared/protocol/channel.ts';
import { PortChannel } from '../../shared/protocol/port-channel.ts';
import { PortSignal } from '../../shared/protocol/port-signal.ts';
import { THREAD_READY } from '../../shared/protocol/thread-ready.ts';
import type { LaunchOptions } from './process-launcher.ts';
import { OutputTail } from './output-tail.ts';
import { looksOutOfMemory, type WorkerExit, type WorkerHandle } from './worker-handle.ts';

const BOOTSTRAP = new URL('../../worker/bootstrap.mjs', import.meta.url);
const MIB = 1024 * 1024;

export interface ThreadLaunchOptions extends LaunchOptions {
  /** udf.thread.spin-time (ms): how long each side polls for the other's answer (spin-wait.ts). */
  spinMs: number;
}

export function launchThreadWorker(options: ThreadLaunchOptions): WorkerHandle {
  const { workerId, log } = options;
  const control = new MessageChannel();
  const data = new MessageChannel();
  const state = new MessageChannel();
  const logging = new MessageChannel();
  const stateSignal = new PortSignal();
  const limitMb = options.memoryLimitBytes > 0 ? Math.max(16, Math.floor(options.memoryLimitBytes / MIB)) : 0;
  const worker = new Worker(BOOTSTRAP, {
    workerData: {
      workerId,
      spinMs: options.spinMs,
      build: options.build,
      stateSignal: stateSignal.buffer,
      ports: { control: control.port2, data: data.port2, state: state.port2, logging: logging.port2 },
    },
    transferList: [control.port2, data.port2, state.port2, logging.port2],
    execArgv: [],
    stdout: true,
    stderr: true,
    ...(limitMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: limitMb } } : {}),
  });
  const stderrTail = new OutputTail();
  worker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line !== '') log.write({ level: 'info', time: Date.now(), message: line, workerId });
  });
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of stderrTail.push(chunk)) {
      if (line !== '') log.write({ level: 'warn', time: Date.now(), message: line, workerId });
    }
  });
  let error: Error | null = null;
  worker.on('error', (e: Error) => {
    error = e;
  });
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.on('exit', (code) => {
      const failure = error as (Error & { code?: string }) | null;
      const tail = [stderrTail.text(), failure === null ? '' : (failure.stack ?? String(failure))].filter(Boolean).join('\n');
      resolve({
        code,
        signal: null,
        outOfMemory: failure?.code === 'ERR_WORKER_OUT_OF_MEMORY' || looksOutOfMemory(tail),
        stderrTail: tail,
      });
    });
  });
  const ports: HostConnection = {
    control: new PortChannel(control.port1, options.spinMs),
    data: new PortChannel(data.port1, options.spinMs),
    state: new SignallingPortChannel(state.port1, stateSignal, options.spinMs),
    logging: new PortChannel(logging.port1),
    close: () => {
      for (const c of [control, data, state, logging]) c.port1.close();
    },
  };
  // Connected once the thread has loaded its harness: a start-up that never gets there is
  // timed out by udf.worker.startup-timeout, and the supervisor's limit on concurrent starts
  // holds for threads too.
  const connection = new Promise<HostConnection>((resolve) => {
    worker.on('message', (message: unknown) => {
      if (message === THREAD_READY) resolve(ports);
    });
  });
  return {
    id: workerId,
    mode: 'thread',
    pid: undefined,
    connection,
    exited,
    kill: () => {
      void worker.terminate();
    },
  };
}
