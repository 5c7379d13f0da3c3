/**
 * Process mode's State stream runs in a thread of its own, the state relay: a worker's main
 * thread blocks while it waits for a state read (StateClient.requestNow), and a blocked thread's
 * event loop cannot read the gRPC stream the answer comes on. The relay thread can: it dials the
 * host itself, writes each request it gets from a MessagePort to the State stream, and posts
 * each response back to the port, ringing the port's signal (shared/protocol/port-signal.ts)
 * as the host does in thread mode. The main thread's end is then the same BlockingPortChannel.
 *
 *   main thread                   relay thread                      host endpoint
 *    start() ─── port, signal ───▶ loads gRPC
 *    dial(target) ───────────────▶ State(metadata: id, token) ─────▶ attached to worker `id`
 *    send(request bytes) ────────▶ write ──────────────────────────▶
 *    receiveNow(): wait ◀── ring ─ post(response bytes) ◀──────────── response
 *
 * Only bytes cross the port: the relay loads gRPC and nothing of the protocol's codecs, so that
 * it starts fast (worker start-up is on every job's path). It is started before the main thread
 * loads the harness (process-main.ts), so the two load side by side, and it never keeps the
 * process alive by itself.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { BlockingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';

/** Where the relay dials and how it opens the State stream (worker/grpc-connection.ts). */
export interface StateRelayTarget {
  address: string;
  /** The State method's path. */
  path: string;
  /** Metadata presented on the call: the worker's id and token. */
  metadata: Record<string, string>;
  /** grpc-js channel options. */
  options: Record<string, number>;
}

/** What the relay thread gets in workerData. */
export interface StateRelayWorkerData {
  /** For bootstrap.mjs when the worker runs from source: which module to load, and no build. */
  entry: 'state-relay-thread';
  build: null;
  port: MessagePort;
  signal: SharedArrayBuffer;
}

export class StateRelay {
  private constructor(
    private readonly thread: Worker,
    /** The main thread's end of the port: encoded requests out, encoded responses in. */
    readonly channel: BlockingPortChannel<Uint8Array, Uint8Array>,
  ) {}

  /**
   * Starts the relay thread. `buildDir`: the worker's build (a file URL ending in '/', see
   * host/workers/worker-build.ts), whose bundled relay needs no module hooks; null: from source,
   * through bootstrap.mjs as a worker thread is (it registers tsx first).
   */
  static start(buildDir: string | null): StateRelay {
    const { port1, port2 } = new MessageChannel();
    const signal = new PortSignal();
    const entry = buildDir === null ? new URL('./bootstrap.mjs', import.meta.url) : new URL('worker/state-relay-thread.mjs', buildDir);
    const workerData: StateRelayWorkerData = { entry: 'state-relay-thread', build: null, port: port2, signal: signal.buffer };
    const thread = new Worker(entry, { workerData, transferList: [port2], execArgv: [] });
    const channel = new BlockingPortChannel<Uint8Array, Uint8Array>(port1, signal);
    // Neither the thread nor the port keeps the process alive: the worker exits on its own
    // terms (process-main.ts), and the relay goes with it.
    thread.unref();
    port1.unref();
    thread.on('error', (error: Error) => {
      process.stderr.write(`sluice worker: the state relay thread failed: ${error.stack ?? error.message}\n`);
    });
    // The relay rings the end itself when its thread exits; this covers a thread that never got
    // as far as loading its module.
    thread.on('exit', () => signal.close());
    return new StateRelay(thread, channel);
  }

  /** Tells the relay to dial the host and open the State stream. Sends made before are kept. */
  dial(target: StateRelayTarget): void {
    this.thread.postMessage(target);
  }
}
