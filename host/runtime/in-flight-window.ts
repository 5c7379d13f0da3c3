/**
 * How many data batches a stage may have sent to its worker and not yet seen processed: enough
 * to keep the worker busy across the round trip when batches are cheap, few when they are
 * costly, so that a checkpoint barrier (which queues behind them) waits a bounded time either
 * way. Flink sizes its in-flight buffers the same way (buffer debloating: a target time to
 * consume them).
 *
 *   in flight < 2 (one being processed, one waiting)                    → send
 *   in flight < udf.in-flight.max-batches
 *     and rows in flight × time a row takes < udf.in-flight.target-time → send
 *   otherwise                                                           → wait for progress
 *
 * What a row takes is learnt from the worker's progress reports: the time between two reports,
 * over the rows of the batches the later one completed, when the worker had a batch waiting
 * all along (otherwise the interval includes time it sat idle). An average over recent batches;
 * until there is one, batches are taken to be costly (the window stays at 2).
 */
export interface InFlightLimits {
  /** udf.in-flight.max-batches */
  maxBatches: number;
  /** udf.in-flight.max-bytes */
  maxBytes: number;
  /** udf.in-flight.target-time, in ms */
  targetMs: number;
}

/** Batches in flight that never wait on the estimate (one being processed, one waiting). */
const BASE_BATCHES = 2;
/** Weight of the newest sample in the average time a row takes. */
const SMOOTHING = 0.25;

export class InFlightWindow {
  private batches = 0;
  private bytes = 0;
  private rows = 0;
  /** Average ms a row takes in the worker; Infinity until measured. */
  private msPerRow = Infinity;
  /** When the last progress report came, if a batch was still in flight after it. */
  private busySince: number | null = null;

  constructor(
    private readonly limits: InFlightLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get inFlight(): number {
    return this.batches;
  }

  get bytesInFlight(): number {
    return this.bytes;
  }

  /** Estimated ms the worker needs for the rows in flight (Infinity until measured). */
  get workInFlightMs(): number {
    return this.rows === 0 ? 0 : this.rows * this.msPerRow;
  }

  /** Whether another batch may be sent now. */
  get open(): boolean {
    const { maxBatches, maxBytes, targetMs } = this.limits;
    if (this.batches >= maxBatches || this.bytes >= maxBytes) return false;
    return this.batches < BASE_BATCHES || this.workInFlightMs < targetMs;
  }

  sent(rows: number, bytes: number): void {
    if (this.batches === 0) this.busySince = this.clock();
    this.batches++;
    this.rows += rows;
    this.bytes += bytes;
  }

  /** The worker reported `batches` batches processed, of `rows` rows and `bytes` bytes together. */
  processed(batches: number, rows: number, bytes: number): void {
    if (batches === 0) return;
    const now = this.clock();
    if (this.busySince !== null && rows > 0) {
      const sample = (now - this.busySince) / rows;
      this.msPerRow = this.msPerRow === Infinity ? sample : this.msPerRow + SMOOTHING * (sample - this.msPerRow);
    }
    this.batches -= batches;
    this.rows -= rows;
    this.bytes -= bytes;
    // The next interval measures the worker only if it has a batch to go on with.
    this.busySince = this.batches > 0 ? now : null;
  }
}
