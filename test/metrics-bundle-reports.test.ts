/**
 * What a worker reports of its functions' metrics, over an in-memory transport: with each
 * bundle's answer, every metric with its total so far (not what changed in the bundle), and
 * with finish's, what close() counted too.
 */
import { describe, expect, it } from 'vitest';
import { MapFunction, type Counter, type RuntimeContext } from '../host/index.ts';
import { hostLog, setStderrLogging } from '../host/log.ts';
import type { ReportedUpdate } from '../host/metrics/attempt-metrics.ts';
import { RemoteStage } from '../host/runtime/remote-stage.ts';
import { shipFunction } from '../host/shipping/ship-function.ts';
import { WorkerClient } from '../host/workers/worker-client.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import { loadFunction } from '../worker/function-loader.ts';
import { FnHarness } from '../worker/harness.ts';

setStderrLogging(false);

class Counting extends MapFunction<number, number> {
  private records: Counter | null = null;
  private closes: Counter | null = null;
  override open(ctx: RuntimeContext): void {
    this.records = ctx.getMetricsGroup().addGroup('in').counter('records');
    this.closes = ctx.getMetricsGroup().counter('closes');
    ctx.getMetricsGroup().gauge('subtask', () => ctx.getIndexOfThisSubtask() + 10);
  }
  map(x: number): number {
    this.records!.inc();
    return x;
  }
  override close(): void {
    this.closes!.inc();
  }
}

function rows(values: number[]): RowBatch {
  return { length: values.length, values, keys: null, timestamps: null };
}

describe('user metrics in the answers of a worker', () => {
  it('carry every metric with its total so far, with each bundle and with finish', async () => {
    const pair = createInMemoryPair();
    new FnHarness(pair.worker, { workerId: 'w1', loadFunction, captureConsole: false, onShutdown: () => undefined });
    const client = new WorkerClient(pair.host, 'w1', hostLog);
    const map = await shipFunction(new Counting(), { role: 'map function', operator: 'Counting' });
    const config = new Configuration();
    const stage = new RemoteStage(
      client,
      {
        processorId: 'p1',
        transforms: [
          { id: 't0', name: 'Counting', kind: 'map', function: { urn: map.urn, payload: map.payload }, functionName: map.name },
          { id: 't1', name: 'Plain', kind: 'map', function: { urn: map.urn, payload: map.payload }, functionName: map.name },
        ],
        subtaskIndex: 1,
        parallelism: 2,
        config: config.toStringMap(),
      },
      new Set(['t1']),
      () => undefined,
      config,
    );
    const reports: (readonly ReportedUpdate[])[] = [];
    stage.onUserMetrics((updates) => reports.push(updates));
    await stage.register();
    for (const batch of [[1, 2], [3, 4, 5]]) {
      stage.startBundle(-Infinity);
      await stage.send(rows(batch), 'input');
      await stage.finishBundle();
    }
    await stage.finish();
    const of = (transformId: string, records: number, closes: number): object[] => [
      { transformId, scope: [], name: 'closes', counter: closes },
      { transformId, scope: [], name: 'subtask', gauge: 11 },
      { transformId, scope: ['in'], name: 'records', counter: records },
    ];
    expect(reports).toEqual([
      [...of('t0', 2, 0), ...of('t1', 2, 0)],
      [...of('t0', 5, 0), ...of('t1', 5, 0)],
      [...of('t0', 5, 1), ...of('t1', 5, 1)],
    ]);
  });
});
