/**
 * The floor under thread mode's latency (P3): a lone record's round trip to a worker thread
 * with nothing of the runtime around it. Once a millisecond, as in `latency`, the main thread
 * encodes a one-row DOUBLE batch with the Data codec and posts it in a message of the Data
 * channel's shape (the Arrow buffer transferred); the worker thread (thread-hop-worker.ts)
 * decodes it, encodes the row back and posts it; the main thread decodes the answer. Any
 * design with a worker thread and Arrow batches pays this much; what `latency` measures beyond
 * it is the runtime's own path (source, bundles, tasks, sink). A bare ping-pong (a number each
 * way) is measured beside it.
 *
 * At one round trip a millisecond V8 optimises the codec's per-batch code only after thousands
 * of them (it tiers up by call counts): the batch hop's p50 falls from ~0.26 ms over its first
 * 2,000 to ~0.15–0.17 ms after 8,000 on this machine (RESULTS.md, twenty-first round). Compare it
 * with a runtime as warm as it: `batchWarmUp` round trips go unmeasured first. A number's round
 * trip runs no codec and needs few.
 *
 *   main: encode ─ post ─▶ worker: decode, encode ─ post ─▶ main: decode   (one row, paced 1 ms)
 */
import { Worker } from 'node:worker_threads';
import { BatchDecoder } from '../../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../../shared/codec/batch-layout.ts';

const LAYOUT: BatchLayout = { value: { kind: 'DOUBLE' }, keyed: false, timestamped: false };

/**
 * Round trips (or records) paced once a millisecond after which the codec's and the runtime's
 * per-record code has been optimised: what a warm measurement leaves unmeasured first.
 */
export const PACED_WARM_UP = 8000;

export interface ThreadHops {
  /** Round-trip times (ms) of one-row batches, after the warm-up. */
  batch: number[];
  /** Round-trip times (ms) of a number each way, after the warm-up. */
  bare: number[];
}

export interface ThreadHopOptions {
  /** Round trips measured, of each kind. */
  records: number;
  /** One-row batch round trips before those measured. */
  batchWarmUp: number;
  /** Bare round trips before those measured. */
  bareWarmUp: number;
  periodMs: number;
}

export async function measureThreadHops(options: ThreadHopOptions): Promise<ThreadHops> {
  const { records, periodMs } = options;
  const worker = new Worker(new URL('./thread-hop-start.mjs', import.meta.url), { workerData: { layout: LAYOUT } });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    const encoder = new BatchEncoder(LAYOUT);
    const decoder = new BatchDecoder(LAYOUT);

    /** Round trips paced once a period, `warmUp` of them unmeasured; `send` posts one, `check` checks its answer. */
    const paced = (warmUp: number, send: (i: number) => void, check: (message: unknown, i: number) => void): Promise<number[]> =>
      new Promise((resolve, reject) => {
        const times: number[] = [];
        let i = 0;
        let sentAt = 0;
        worker.on('message', (message: unknown) => {
          try {
            check(message, i);
          } catch (error) {
            reject(error);
            return;
          }
          times.push(performance.now() - sentAt);
          if (++i === warmUp + records) {
            worker.removeAllListeners('message');
            resolve(times.slice(warmUp));
          } else setTimeout(next, periodMs);
        });
        const next = (): void => {
          sentAt = performance.now();
          send(i);
        };
        next();
      });

    const batch = await paced(
      options.batchWarmUp,
      (i) => {
        const arrow = encoder.encode({ length: 1, values: [i + 0.5], keys: null, timestamps: null });
        worker.postMessage({ data: [{ instructionId: 'b-1', transformId: 'in', arrow }] }, [arrow.buffer as ArrayBuffer]);
      },
      (message, i) => {
        const value = decoder.decode((message as { data: { arrow: Uint8Array }[] }).data[0]!.arrow).values[0];
        if (value !== i + 0.5) throw new Error(`round trip ${i} came back as ${String(value)}`);
      },
    );
    const bare = await paced(
      options.bareWarmUp,
      (i) => worker.postMessage(i),
      (message, i) => {
        if (message !== i) throw new Error(`ping ${i} came back as ${String(message)}`);
      },
    );
    return { batch, bare };
  } finally {
    await worker.terminate();
  }
}
