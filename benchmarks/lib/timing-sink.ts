/**
 * The counting sink every throughput job ends in. It runs in the host (all sinks do), so its
 * clock is the host's whichever mode the function runs in.
 *
 * Why time in the sink rather than time whole jobs: a job's wall time includes planning,
 * shipping functions and starting workers (a second or more in process mode, see the
 * start-up figure in the notes), which is not throughput and would swamp any difference
 * between modes. Subtracting an "empty job" does not remove it cleanly either: start-up
 * varies from run to run by more than the effect being measured. So the clock starts when the
 * W-th record reaches the sink and stops when the last one does, and the rate is
 * (N - W) / (t_N - t_W). W is a fixed fraction of N (WARM_UP_FRACTION), which also keeps JIT
 * tier-up and first buffer allocations out of the window. Records arrive in batches, so each
 * end of the window is uncertain by one batch (udf.arrow.batch.size rows): under 1% at the
 * sizes the harness picks.
 *
 * Reading the clock costs more than the sink's work per record, so it is read exactly twice.
 */
import { SinkFunction } from '../../host/index.ts';

/** Share of the records let through before the clock starts. */
export const WARM_UP_FRACTION = 0.05;

export interface SinkTiming {
  /** Records that reached the sink. */
  count: number;
  /** Records inside the timed window: N - W. */
  timedRecords: number;
  /** performance.now() when record W arrived, and when record N did (null if it never did). */
  windowStart: number | null;
  windowEnd: number | null;
  /** The first value the sink received, for a cheap check that the function really ran. */
  firstValue: unknown;
}

/**
 * Embedded mode and the other modes alike give the sink a deep copy of this object
 * (host/runtime/clone-function.ts), so what it measures is handed back through this table,
 * keyed by a token the copy carries as a plain field.
 */
const timings = new Map<string, SinkTiming>();
let nextToken = 1;

export class TimingSink<T> extends SinkFunction<T> {
  private count = 0;

  private constructor(
    private readonly token: string,
    private readonly expected: number,
    private readonly warmUp: number,
  ) {
    super();
  }

  /** A sink expecting `expected` records, and the timing it will fill in. */
  static create<T>(expected: number): { sink: TimingSink<T>; timing: SinkTiming } {
    const token = `timing-${nextToken++}`;
    const warmUp = Math.floor(expected * WARM_UP_FRACTION);
    const timing: SinkTiming = { count: 0, timedRecords: expected - warmUp, windowStart: null, windowEnd: null, firstValue: undefined };
    timings.set(token, timing);
    return { sink: new TimingSink<T>(token, expected, warmUp), timing };
  }

  /** Forgets the timing once the job is over. */
  static release(timing: SinkTiming): void {
    for (const [token, t] of timings) if (t === timing) timings.delete(token);
  }

  override invoke(value: T): void {
    const n = ++this.count;
    if (n === 1) {
      const timing = timings.get(this.token)!;
      timing.firstValue = value;
      // W = 0 (tiny inputs): the window opens with the first record.
      if (this.warmUp === 0) timing.windowStart = performance.now();
    }
    if (n === this.warmUp) timings.get(this.token)!.windowStart = performance.now();
    if (n === this.expected) timings.get(this.token)!.windowEnd = performance.now();
  }

  override close(): void {
    timings.get(this.token)!.count = this.count;
  }
}
