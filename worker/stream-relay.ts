/**
 * Process mode's State and Data streams run in a thread of their own, the stream relay, which
 * dials the host itself and carries each stream's encoded messages between gRPC and a
 * MessagePort. The worker's main thread then runs the user's functions and the codecs, and
 * nothing of gRPC's work on the data path:
 *
 * - State: a worker's main thread blocks while it waits for a state read (StateClient.requestNow),
 *   and a blocked thread's event loop cannot read the gRPC stream the answer comes on. The relay
 *   thread can: it posts each response to the State port and rings the port's signal
 *   (shared/protocol/port-signal.ts) as the host does in thread mode, so the main thread's end is
 *   the same BlockingPortChannel.
 * - Data: reading a batch off the socket (HTTP/2 frames, gRPC's reassembly of the message) and
 *   writing one (gRPC's framing copy, HTTP/2, the socket) cost the main thread ~9 % of its time
 *   in a JSON workload that keeps it busy (benchmarks/RESULTS.md, twenty-eighth round), time
 *   taken from the function. The relay does that on the other core, and encodes the batches the
 *   main thread sends (copying a batch into its message); the main thread decodes the batches it
 *   receives (views, no copy). Their bytes cross the port moved, not copied.
 *
 *   main thread                     relay thread                      host endpoint
 *    start() ── ports, signal ─────▶ loads gRPC
 *    dial(target) ─────────────────▶ State, Data Inputs, Data Outputs ─▶ attached to worker `id`
 *    state.send(request bytes) ────▶ write ────────────────────────────▶
 *    state.receiveNow(): wait ◀ ring ─ post(response bytes) ◀───────────── response
 *    data.send(batches) ───────────▶ encode, write (Outputs) ──────────▶
 *    data 'message' ◀──────────────── post(batch bytes) ◀──────────────── (Inputs)
 *
 * `udf.process.data-thread` off leaves Data on the main thread's own connections (the relay's
 * CPU is then saved, which counts where functions are very cheap and every core is busy).
 * - Logging: a log entry must reach the host even when the main thread never runs its event loop
 *   again (a function in an endless loop, running out of memory, calling process.exit). The main
 *   thread posts each entry's bytes as it is logged; the relay writes it, and rings `logReceived`
 *   as the host acknowledges each, so that the main thread can wait for its log to be out (worker/relayed-log-channel.ts).
 *
 * Control stays on the main thread: a heartbeat is answered by the thread that runs
 * the functions, so a hung function is seen as one. The relay loads gRPC and protobuf's minimal
 * writer, nothing of the protocol's generated codecs, so that it starts fast (worker start-up is
 * on every job's path). It is started before the main thread loads the harness
 * (process-main.ts), so the two load side by side, and it never keeps the process alive by
 * itself.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { BlockingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import type { Elements } from '../shared/protocol/messages.ts';
import { PortChannel } from '../shared/protocol/port-channel.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';

/** One stream the relay opens: the method's path and grpc-js options of its connection. */
export interface RelayedStream {
  path: string;
  /** Added to the target's options for this stream's connection (each stream has its own). */
  options: Record<string, number>;
}

/** Where the relay dials and how it opens its streams (worker/grpc-connection.ts). */
export interface StreamRelayTarget {
  address: string;
  /** Metadata presented on every call: the worker's id and token. */
  metadata: Record<string, string>;
  /** grpc-js channel options of every connection. */
  options: Record<string, number>;
  state: RelayedStream;
  /** Logging: the worker's log entries, encoded by the main thread. */
  logging: RelayedStream;
  /** Data's two streams; null when the main thread opens them itself (udf.process.data-thread off). */
  data: {
    /** Towards the worker: the host writes batches, the worker never does. */
    inputs: RelayedStream;
    /** Towards the host: the worker writes batches, the host never does. */
    outputs: RelayedStream;
  } | null;
}

/** What the relay thread gets in workerData. */
export interface StreamRelayWorkerData {
  /** For bootstrap.mjs when the worker runs from source: which module to load, and no build. */
  entry: 'stream-relay-thread';
  build: null;
  statePort: MessagePort;
  dataPort: MessagePort;
  loggingPort: MessagePort;
  signal: SharedArrayBuffer;
  /** Rung by the relay for each log message the host has received (a count, no data). */
  logReceived: SharedArrayBuffer;
}

export class StreamRelay {
  private constructor(
    private readonly thread: Worker,
    /** The main thread's end of State: encoded requests out, encoded responses in. */
    readonly state: BlockingPortChannel<Uint8Array, Uint8Array>,
    /** The main thread's end of Data: output batches out (the relay encodes them), encoded input batches in. */
    readonly data: PortChannel<Elements, Uint8Array>,
    /** The main thread's end of Logging: encoded log entries out, nothing in. */
    readonly logging: PortChannel<Uint8Array, never>,
    /** Rung by the relay once per log message the host has received. */
    readonly logReceived: PortSignal,
  ) {}

  /**
   * Starts the relay thread. `buildDir`: the worker's build (a file URL ending in '/', see
   * host/workers/worker-build.ts), whose bundled relay needs no module hooks; null: from source,
   * through bootstrap.mjs as a worker thread is (it registers tsx first).
   */
  static start(buildDir: string | null): StreamRelay {
    const state = new MessageChannel();
    const data = new MessageChannel();
    const logging = new MessageChannel();
    const signal = new PortSignal();
    const logReceived = new PortSignal();
    const entry = buildDir === null ? new URL('./bootstrap.mjs', import.meta.url) : new URL('worker/stream-relay-thread.mjs', buildDir);
    const workerData: StreamRelayWorkerData = {
      entry: 'stream-relay-thread',
      build: null,
      statePort: state.port2,
      dataPort: data.port2,
      loggingPort: logging.port2,
      signal: signal.buffer,
      logReceived: logReceived.buffer,
    };
    const thread = new Worker(entry, { workerData, transferList: [state.port2, data.port2, logging.port2], execArgv: profilerFlags() });
    // Made before the ports are unref'd: a port refs itself when it gets a 'message' listener.
    const relay = new StreamRelay(
      thread,
      new BlockingPortChannel(state.port1, signal),
      new PortChannel<Elements, Uint8Array>(data.port1),
      new PortChannel<Uint8Array, never>(logging.port1),
      logReceived,
    );
    // Neither the thread nor the ports keep the process alive: the worker exits on its own
    // terms (process-main.ts), and the relay goes with it.
    thread.unref();
    state.port1.unref();
    data.port1.unref();
    logging.port1.unref();
    thread.on('error', (error: Error) => {
      process.stderr.write(`sluice worker: the stream relay thread failed: ${error.stack ?? error.message}\n`);
    });
    // The relay rings the end itself when its thread exits; this covers a thread that never got
    // as far as loading its module.
    thread.on('exit', () => {
      signal.close();
      logReceived.close();
    });
    return relay;
  }

  /** Tells the relay to dial the host and open the streams. Sends made before are kept. */
  dial(target: StreamRelayTarget): void {
    this.thread.postMessage(target);
  }
}

/**
 * The node flags the relay thread runs with: none of the process's (`execArgv`) but the CPU
 * profiler's, so that benchmarks/profile.ts (which starts workers with --cpu-prof) sees the
 * relay's time too.
 */
export function profilerFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return execArgv.filter((flag) => flag === '--cpu-prof' || flag.startsWith('--cpu-prof-'));
}
