/**
 * A sink that only counts, for jobs that run for a time rather than to the end of their input
 * (windowed-job.ts, backpressure-memory). The harness reads the count whenever it likes (a timer,
 * a memory sample): the sink runs on the host's thread, so a read between two of the event loop's
 * tasks sees a consistent count.
 *
 * Records arrive in bursts (a batch, or several batches handled in one task), so a rate taken
 * from the time a timer happens to fire is uncertain by a burst: at 20,000 records/s and
 * 10,000-row batches that is half a second. The sink therefore also notes when each burst
 * ended (`settledAt`, read in a microtask queued by the burst's first record: one clock read
 * per burst, not per record) and how many records had arrived then (`settledCount`). A rate
 * taken between two such points is exact whatever the batch size.
 *
 * The count lives in a table keyed by a token the sink carries as a plain field (as TimingSink
 * does), so the figures survive should the runtime ever hand the job a copy of the sink. The
 * sink counts in a field of its own and publishes the count when a burst ends, so that a record
 * costs it an increment and a test, as in TimingSink: the sink runs on the host's thread, which
 * in embedded mode also runs the function, and a costlier sink would slow that mode alone.
 */
import { SinkFunction } from '../../host/index.ts';

export interface SinkCount {
  /** Records that reached the sink so far (as of the end of the latest burst). */
  count: number;
  /** performance.now() when the first record arrived, null before. */
  firstAt: number | null;
  firstValue: unknown;
  /** Records that had arrived when the latest burst of records ended, and when that was. */
  settledCount: number;
  settledAt: number | null;
  /** Resolves with firstAt when the first record arrives. */
  readonly firstArrival: Promise<number>;
}

const counts = new Map<string, { state: SinkCount; arrived: (at: number) => void }>();
let nextToken = 1;

export class CountingSink<T> extends SinkFunction<T> {
  private burst = false;
  private count = 0;

  private constructor(private readonly token: string) {
    super();
  }

  static create<T>(): { sink: CountingSink<T>; count: SinkCount } {
    const token = `count-${nextToken++}`;
    let arrived!: (at: number) => void;
    const firstArrival = new Promise<number>((resolve) => (arrived = resolve));
    const state: SinkCount = { count: 0, firstAt: null, firstValue: undefined, settledCount: 0, settledAt: null, firstArrival };
    counts.set(token, { state, arrived });
    return { sink: new CountingSink<T>(token), count: state };
  }

  /** Forgets the count once the job is over. */
  static release(count: SinkCount): void {
    for (const [token, entry] of counts) if (entry.state === count) counts.delete(token);
  }

  override invoke(value: T): void {
    if (this.count++ === 0) {
      const entry = counts.get(this.token)!;
      entry.state.count = 1;
      entry.state.firstAt = performance.now();
      entry.state.firstValue = value;
      entry.arrived(entry.state.firstAt);
    }
    if (!this.burst) {
      this.burst = true;
      queueMicrotask(() => this.settle());
    }
  }

  /** The end of a burst: publishes the count and when it was reached. */
  private settle(): void {
    this.burst = false;
    const state = counts.get(this.token)?.state;
    if (state === undefined) return;
    state.count = this.count;
    state.settledCount = this.count;
    state.settledAt = performance.now();
  }
}
