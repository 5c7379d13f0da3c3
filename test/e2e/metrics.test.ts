/**
 * User-defined metrics end to end, in every mode: functions register them through their
 * RuntimeContext, workers report them with each bundle, and the job's result (and its client,
 * while it runs) gives each operator's over its parallel instances.
 */
import { describe, expect, it } from 'vitest';
import {
  CountWindow,
  KeyedProcessFunction,
  MapFunction,
  ProcessAllWindowFunction,
  ReduceFunction,
  SinkFunction,
  SourceFunction,
  UserFunctionError,
  type Collector,
  type Counter,
  type Distribution,
  type KeyedProcessContext,
  type LogRecord,
  type Meter,
  type ProcessWindowContext,
  type RuntimeContext,
  addLogSink,
} from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';

/** Counts its records, and records their values in a distribution, in a group of its own. */
class CountingMap extends MapFunction<number, number> {
  private processed: Counter | null = null;
  private values: Distribution | null = null;
  override open(ctx: RuntimeContext): void {
    const group = ctx.getMetricsGroup().addGroup('myGroup');
    this.processed = group.counter('processed');
    this.values = group.distribution('values');
  }
  map(x: number): number {
    this.processed!.inc();
    this.values!.update(x);
    return x;
  }
}

/** Nested groups, a key/value group, a meter, a gauge of its subtask's index, and a count of its close() calls. */
class ParityTally extends KeyedProcessFunction<number, number, number> {
  private closes: Counter | null = null;
  private even: Counter | null = null;
  private odd: Counter | null = null;
  private seen: Meter | null = null;
  override open(ctx: RuntimeContext): void {
    const root = ctx.getMetricsGroup();
    this.even = root.addGroup('parity', 'even').counter('records');
    this.odd = root.addGroup('parity', 'odd').counter('records');
    this.seen = root.addGroup('outer').addGroup('inner').meter('seen');
    // The same name asked for again is the same counter.
    if (root.addGroup('parity', 'even').counter('records') !== this.even) throw new Error('a second counter was made');
    root.gauge('subtask', () => ctx.getIndexOfThisSubtask());
    this.closes = root.counter('closes');
  }
  processElement(x: number, _ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    (x % 2 === 0 ? this.even! : this.odd!).inc();
    this.seen!.markEvent();
    out.collect(x);
  }
  override close(): void {
    // Reported after the last bundle: with finish's answer.
    this.closes!.inc();
  }
}

/** A host-run sink function counting what it receives. */
class CountingSink extends SinkFunction<number> {
  private received: Counter | null = null;
  override open(ctx: RuntimeContext): void {
    this.received = ctx.getMetricsGroup().counter('received');
  }
  invoke(): void {
    this.received!.inc();
  }
}

/** Emits 0 … count-1, counting them, then waits until released. */
class HeldSource extends SourceFunction<number> {
  private emitted: Counter | null = null;
  constructor(
    private readonly count: number,
    private readonly release: Promise<void>,
  ) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.emitted = ctx.getMetricsGroup().counter('emitted');
  }
  async *run(): AsyncGenerator<number> {
    for (let i = 0; i < this.count; i++) {
      this.emitted!.inc();
      yield i;
    }
    await this.release;
  }
}

/** Counts what it reduces. */
class CountingReduce extends ReduceFunction<number> {
  private reduced: Counter | null = null;
  override open(ctx: RuntimeContext): void {
    this.reduced = ctx.getMetricsGroup().counter('reduced');
  }
  reduce(a: number, b: number): number {
    this.reduced!.inc();
    return a + b;
  }
}

/** Counts its firings. */
class CountingWindow extends ProcessAllWindowFunction<number, number, CountWindow> {
  private fired: Counter | null = null;
  override open(ctx: RuntimeContext): void {
    this.fired = ctx.getMetricsGroup().counter('fired');
  }
  process(_ctx: ProcessWindowContext<CountWindow>, elements: Iterable<number>): number[] {
    this.fired!.inc();
    return [[...elements].length];
  }
}

const RECORDS = Array.from({ length: 1000 }, (_, i) => i);

const BUNDLES = {
  'bundle 1': BUNDLE_SETTINGS['bundle 1, batch default']!,
  'bundle default': BUNDLE_SETTINGS['bundle default, batch default']!,
};

describe.each(MODES)('%s mode', (mode) => {
  describe.each(Object.entries(BUNDLES))('%s', (_, bundles) => {
    it('gives each operator its metrics over its parallel instances: 1,000 records over parallelism 2 count 1,000', async () => {
      const env = environment(mode, bundles);
      const counted = env.fromCollection(RECORDS).map(new CountingMap()).name('Counting').setParallelism(2);
      const tallied = counted.keyBy((x: number) => x % 10).process(new ParityTally()).name('Tally').setParallelism(2);
      tallied.addSink(new CountingSink()).name('Counted').setParallelism(2);
      const result = await env.execute('metrics');
      expect(result.getMetrics()).toEqual({
        Counting: {
          'myGroup.processed': { type: 'counter', count: 1000 },
          'myGroup.values': { type: 'distribution', count: 1000, min: 0, max: 999, mean: 499.5, sum: 499_500 },
        },
        Tally: {
          'parity.even.records': { type: 'counter', count: 500 },
          'parity.odd.records': { type: 'counter', count: 500 },
          // The rate moves every 5 s of the job's run: what it is depends on how long it ran.
          'outer.inner.seen': { type: 'meter', count: 1000, rate: expect.any(Number) as number },
          subtask: { type: 'gauge', values: [0, 1] },
          closes: { type: 'counter', count: 2 },
        },
        Counted: { received: { type: 'counter', count: 1000 } },
      });
    });
  });

  it('reduce and window functions have their metric groups too', async () => {
    const env = environment(mode);
    const numbers = env.fromCollection([1, 2, 3, 4]);
    collect(numbers.keyBy(() => 0).reduce(new CountingReduce()).name('Summed'));
    collect(numbers.countWindowAll(2).process(new CountingWindow()).name('Windowed'));
    const result = await env.execute('reduce and window');
    expect(result.getMetrics()).toEqual({
      Summed: { reduced: { type: 'counter', count: 3 } },
      Windowed: { fired: { type: 'counter', count: 2 } },
    });
  });

  it('a name with the scope separator is refused, naming the metric', async () => {
    class BadName extends MapFunction<number, number> {
      override open(ctx: RuntimeContext): void {
        ctx.getMetricsGroup().addGroup('myGroup').counter('records.in');
      }
      map(x: number): number {
        return x;
      }
    }
    const env = environment(mode);
    collect(env.fromCollection([1]).map(new BadName()).name('Bad'));
    const error = await failureOf<UserFunctionError>(env.execute('bad name'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.causeMessage).toBe(
      "counter name 'records.in' (in group 'myGroup') contains '.', which separates the groups and the name in a metric's identifier: use addGroup() for a group, or another character",
    );
  });

  it("after a restart the result holds the last attempt's metrics, which started from zero", async () => {
    class CountsThenFailsOnce extends MapFunction<number, number> {
      private processed: Counter | null = null;
      private attempt = -1;
      override open(ctx: RuntimeContext): void {
        this.attempt = ctx.getAttemptNumber();
        this.processed = ctx.getMetricsGroup().counter('processed');
      }
      map(x: number): number {
        this.processed!.inc();
        if (this.attempt === 0 && x === 500) throw new Error('failing once');
        return x;
      }
    }
    const env = environment(mode, {
      'udf.bundle.size': 1,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': 0,
    });
    collect(env.fromCollection(RECORDS).map(new CountsThenFailsOnce()).name('Counting').setFailurePolicy('restart'));
    const result = await env.execute('restarts');
    expect(result.restarts).toBe(1);
    expect(result.getMetrics()).toEqual({ Counting: { processed: { type: 'counter', count: 1000 } } });
  });

  it("an operator whose input is idle still reports its gauges (a worker's heartbeats carry them; embedded: read when asked)", async () => {
    /** A gauge of how often it has been read: only reports made while no record comes move it past the few bundles'. */
    class ReadCounting extends MapFunction<number, number> {
      private reads = 0;
      override open(ctx: RuntimeContext): void {
        ctx.getMetricsGroup().gauge('reads', () => ++this.reads);
      }
      map(x: number): number {
        return x;
      }
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const env = environment(mode, { 'udf.bundle.size': 1, 'udf.worker.heartbeat-interval': '20 ms' });
    collect(env.addSource(new HeldSource(3, released), 'Held').map(new ReadCounting()).name('Reading'));
    const client = env.executeAsync('idle');
    // Three records make three bundles; the source then emits nothing until released.
    await expect
      .poll(() => (client.getMetrics()['Reading']?.['reads'] as { values: (number | null)[] } | undefined)?.values[0] ?? 0, { timeout: 60_000, interval: 10 })
      .toBeGreaterThanOrEqual(20);
    release();
    await client.getJobExecutionResult();
  });

  it("the job's client gives the metrics last reported while it runs, and the log reporter writes them", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const env = environment(mode, { 'udf.bundle.size': 1, 'metrics.reporter.log.interval': '20 ms' });
    collect(env.addSource(new HeldSource(10, released), 'Held').map(new CountingMap()).name('Counting'));
    let reported!: () => void;
    const reportedAll = new Promise<void>((resolve) => (reported = resolve));
    const lines: LogRecord[] = [];
    const remove = addLogSink((r) => {
      if (!r.message.startsWith("metrics of 'Counting' in job 'live'")) return;
      lines.push(r);
      if (r.message.includes('myGroup.processed=10,')) reported();
    });
    try {
      const client = env.executeAsync('live');
      await expect
        .poll(() => client.getMetrics()['Counting']?.['myGroup.processed'], { timeout: 60_000, interval: 10 })
        .toEqual({ type: 'counter', count: 10 });
      await reportedAll;
      release();
      const result = await client.getJobExecutionResult();
      expect(result.getMetrics()['Source: Held']).toEqual({ emitted: { type: 'counter', count: 10 } });
    } finally {
      remove();
    }
    expect(lines.at(-1)).toMatchObject({
      level: 'info',
      message:
        "metrics of 'Counting' in job 'live': myGroup.processed=10, myGroup.values={count=10, min=0, max=9, mean=4.5, sum=45}",
    });
  });
});
