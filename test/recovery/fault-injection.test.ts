/**
 * Seeded fault injection: a stateful keyed job over 100,000 records, checkpointing every
 * 200 ms, has a worker killed at 5 seeded random points (SIGKILL in process mode, thread
 * termination in thread mode). Its output equals the failure-free run exactly (nothing lost,
 * nothing twice) and the job reports one restart per kill.
 */
import { describe, expect, it } from 'vitest';
import {
  addLogSink,
  MapFunction,
  SourceFunction,
  ValueStateDescriptor,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';
import { CallbackSink, environment } from '../support/jobs.ts';

const RECORDS = 100_000;
const KEYS = 100;
const KILLS = 5;

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 0, 1, …, n-1, with its position in checkpoints. Before each record it tells `onPosition` how
 * far it is about to get, and waits for it (a kill point waits for a checkpoint).
 */
class Numbers extends SourceFunction<number> {
  private next = 0;
  constructor(
    private readonly n: number,
    private readonly onPosition: (position: number) => Promise<void> | undefined,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    while (this.next < this.n) {
      const waiting = this.onPosition(this.next + 1);
      if (waiting !== undefined) await waiting;
      yield this.next++;
    }
  }
  override snapshotState(): number {
    return this.next;
  }
  override restoreState(state: unknown): void {
    this.next = typeof state === 'number' ? state : 0;
  }
}

/** Per key, the running sum of its values, in a ValueState. */
class RunningSum extends MapFunction<number, [number, number]> {
  private sum!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor<number>('sum'));
  }
  async map(x: number): Promise<[number, number]> {
    const sum = (this.sum.value() ?? 0) + x;
    this.sum.update(sum);
    return [x % 100, sum];
  }
}

function failureFree(): [number, number][] {
  const sums = new Array<number>(KEYS).fill(0);
  const out: [number, number][] = [];
  for (let x = 0; x < RECORDS; x++) {
    sums[x % KEYS]! += x;
    out.push([x % KEYS, sums[x % KEYS]!]);
  }
  return out;
}

describe.each([
  ['process', 11],
  ['thread', 29],
] as const)('%s mode (seed %i)', (mode, seed) => {
  it(`survives ${KILLS} worker kills with exactly the failure-free output`, async () => {
    const random = seeded(seed);
    const points = Array.from({ length: KILLS }, () => Math.floor(5_000 + random() * 90_000)).sort((a, b) => a - b);
    const env = environment(mode, {
      // Small batches keep little data in flight, so checkpoints complete well within a run.
      'udf.arrow.batch.size': 1000,
      'execution.checkpointing.interval': 200,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 10,
      'restart-strategy.fixed-delay.delay': 50,
    });
    let killed = 0;
    let killedIn: ReturnType<typeof client.workers> | null = null;
    // Kills wait for a checkpoint of the running attempt, so that every restart restores one.
    let checkpointedIn: unknown = null;
    let onCheckpoint: (() => void) | null = null;
    const restoredFrom: string[] = [];
    const removeSink = addLogSink((r) => {
      if (/^checkpoint \d+ complete/.test(r.message)) {
        checkpointedIn = client.workers()[0];
        onCheckpoint?.();
      }
      const restart = /restart \d+ .* from (checkpoint \d+|the start)/.exec(r.message);
      if (restart !== null) restoredFrom.push(restart[1]!);
    });
    const killAfterCheckpoint = async (): Promise<void> => {
      const workers = client.workers();
      while (checkpointedIn !== workers[0]) await new Promise<void>((resolve) => (onCheckpoint = resolve));
      // Another record of this attempt may have got here first.
      if (workers[0] === killedIn?.[0]) return;
      const victim = workers[Math.floor(random() * workers.length)]!;
      killedIn = workers;
      killed++;
      if (victim.handle.pid !== undefined) process.kill(victim.handle.pid, 'SIGKILL');
      else victim.handle.kill();
    };
    const onPosition = (position: number): Promise<void> | undefined => {
      if (killed === KILLS || position < points[killed]!) return undefined;
      const workers = client.workers();
      // One kill per attempt: the next waits for the restart to have replaced the workers.
      if (workers.length === 0 || workers[0] === killedIn?.[0]) return undefined;
      return killAfterCheckpoint();
    };
    const out: [number, number][] = [];
    env
      .addSource(new Numbers(RECORDS, onPosition), 'Numbers')
      .keyBy((x) => x % 100)
      .map(new RunningSum())
      .addSink(new CallbackSink<[number, number]>((v) => out.push(v)));
    const client = env.executeAsync('fault injection');
    const result = await client.getJobExecutionResult().finally(removeSink);
    expect(killed).toBe(KILLS);
    expect(result.restarts).toBe(KILLS);
    expect(restoredFrom).toHaveLength(KILLS);
    expect(restoredFrom.every((from) => from.startsWith('checkpoint '))).toBe(true);
    expect(out.length).toBe(RECORDS);
    expect(out).toEqual(failureFree());
  }, 240_000);
});
