/**
 * A paced source and a sink that together measure each record's latency through a job. Both run
 * in the host (every source and sink does), so they read the same clock: the source stamps each
 * record with performance.now() as it emits it, the sink subtracts the stamp from its own
 * performance.now() when the record arrives.
 *
 *   source: handshake record ─▶ … ─▶ sink sees it   (workers are up: start the schedule)
 *   source: record k at start + k·period, value = emit time ─▶ map ─▶ sink: now − value
 *
 * The handshake keeps worker start-up out of the figures: in thread mode the source starts
 * before the worker is ready, and the first records would otherwise wait for it.
 *
 * Pacing: record k is due at start + k·period, a schedule against the start time, so timer
 * lateness never accumulates into a lower rate. A record whose time has not come waits in a
 * setTimeout for the rest; Node's timers fire a fraction of a millisecond late, so the loop
 * slips behind the schedule until a record is found already due; that one goes out after a
 * setImmediate only (one turn of the event loop, so that two records never leave in the same
 * task), and the schedule is caught up. The stamp is the actual emit time, not the due time: a
 * late timer is the source's lateness, not the pipeline's latency; the lateness is recorded and
 * reported separately. The source never busy-waits: a spinning host thread would take a core
 * from the workers (measured: process mode p50 four times worse).
 */
import { SinkFunction, SourceFunction, type SourceContext } from '../../host/index.ts';

export interface LatencySamples {
  /** Latency of each record in arrival order (ms); the first `warmUp` are not measurements. */
  readonly latencies: Float64Array;
  /** How late each record left against its schedule (ms). */
  readonly lateness: Float64Array;
  arrived: number;
  /** Emit time of the first and the last scheduled record. */
  firstEmit: number;
  lastEmit: number;
}

/** The stamp of the handshake record: never a real emit time (those are positive). */
const HANDSHAKE = -1;

interface Probe {
  samples: LatencySamples;
  handshakeArrived: Promise<void>;
  onHandshake: () => void;
}

const probes = new Map<string, Probe>();
let nextToken = 1;

export function createLatencyProbe(records: number, periodMs: number): { source: PacedSource; sink: LatencySink; samples: LatencySamples; release(): void } {
  const token = `latency-${nextToken++}`;
  let onHandshake!: () => void;
  const handshakeArrived = new Promise<void>((resolve) => (onHandshake = resolve));
  const samples: LatencySamples = {
    latencies: new Float64Array(records),
    lateness: new Float64Array(records),
    arrived: 0,
    firstEmit: 0,
    lastEmit: 0,
  };
  probes.set(token, { samples, handshakeArrived, onHandshake });
  return {
    source: new PacedSource(token, records, periodMs),
    sink: new LatencySink(token),
    samples,
    release: () => probes.delete(token),
  };
}

export class PacedSource extends SourceFunction<number> {
  private cancelled = false;

  constructor(
    private readonly token: string,
    private readonly records: number,
    private readonly periodMs: number,
  ) {
    super();
  }

  override async run(ctx: SourceContext<number>): Promise<void> {
    const probe = probes.get(this.token)!;
    await ctx.collect(HANDSHAKE);
    await probe.handshakeArrived;
    const { samples } = probe;
    const start = performance.now();
    for (let k = 0; k < this.records && !this.cancelled; k++) {
      const due = start + k * this.periodMs;
      const now = performance.now();
      if (now < due) await new Promise((resolve) => setTimeout(resolve, due - now));
      else if (k > 0) await new Promise((resolve) => setImmediate(resolve));
      const stamp = performance.now();
      samples.lateness[k] = Math.max(0, stamp - due);
      if (k === 0) samples.firstEmit = stamp;
      samples.lastEmit = stamp;
      const wait = ctx.collect(stamp);
      if (wait !== undefined) await wait;
    }
  }

  override cancel(): void {
    this.cancelled = true;
  }
}

export class LatencySink extends SinkFunction<number> {
  constructor(private readonly token: string) {
    super();
  }

  override invoke(stamp: number): void {
    const now = performance.now();
    const probe = probes.get(this.token)!;
    if (stamp === HANDSHAKE) {
      probe.onHandshake();
      return;
    }
    probe.samples.latencies[probe.samples.arrived++] = now - stamp;
  }
}
