/**
 * An attempt whose building fails once some of its workers are starting fails the job with that
 * failure, and only once every launch has settled, so that the job runner kills every worker
 * started: none is left running (a thread worker would keep the host from exiting), and no
 * launch fails unobserved (an unhandled rejection, which ends a `sluice run` host). Two ways:
 * a worker's launch that fails while another stage's is under way (injected into
 * WorkerSupervisor.launch), and a resume whose source fails in restoreState(), a source the plan
 * has after a worker stage (this used to throw in the middle of the stages, the launches before
 * it never awaited).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceFunction, Types } from '../../host/index.ts';
import { WorkerSupervisor, type SupervisedWorker } from '../../host/workers/supervisor.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { failureOf } from '../support/failure.ts';
import { CallbackSink, environment, isAlive } from '../support/jobs.ts';
import { Paced } from './paced-source.ts';

/** Every launch of a worker while a test runs: whether it has settled, and the worker it started, once it has exited or not. */
interface Launch {
  operator: string;
  settled: boolean;
  worker: SupervisedWorker | null;
  exited: boolean;
}

/** Records every launch; a launch for an operator named in `failing` fails at once with `error` instead. */
function watchLaunches(failing: string | null, error: Error | null): Launch[] {
  const launches: Launch[] = [];
  const original = WorkerSupervisor.prototype.launch;
  vi.spyOn(WorkerSupervisor.prototype, 'launch').mockImplementation(function (this: WorkerSupervisor, operator: string) {
    const launch: Launch = { operator, settled: false, worker: null, exited: false };
    launches.push(launch);
    if (failing !== null && operator.startsWith(failing)) {
      launch.settled = true;
      return Promise.reject(error ?? new Error('injected'));
    }
    return original.call(this, operator).then(
      (worker) => {
        launch.settled = true;
        launch.worker = worker;
        void worker.handle.exited.then(() => (launch.exited = true));
        return worker;
      },
      (e: unknown) => {
        launch.settled = true;
        throw e;
      },
    );
  });
  return launches;
}

/** Every launch had settled when the job failed, and every worker started has exited. */
function expectNoWorkerLeft(mode: 'process' | 'thread', launches: readonly Launch[]): void {
  expect(launches.map((l) => [l.operator, l.settled])).toEqual(launches.map((l) => [l.operator, true]));
  for (const l of launches) {
    if (l.worker === null) continue;
    expect([l.operator, l.exited]).toEqual([l.operator, true]);
    if (mode === 'process') expect(isAlive(l.worker.handle.pid!)).toBe(false);
  }
}

class RestoreFails extends SourceFunction<number> {
  private next = 0;
  constructor(
    private readonly n: number,
    private readonly failRestore: boolean,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    while (this.next < this.n) {
      if (this.next % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      yield this.next++;
    }
  }
  override snapshotState(): number {
    return this.next;
  }
  override restoreState(state: unknown): void {
    if (this.failRestore) throw new Error('cannot restore');
    this.next = state as number;
  }
}

describe.each(['process', 'thread'] as const)('%s mode: an attempt that fails while its workers start', (mode) => {
  const dirs: string[] = [];
  let launches: Launch[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    // Left by a failing test: not to keep the test run alive.
    for (const l of launches.splice(0)) if (l.worker !== null && !l.exited) l.worker.handle.kill();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('fails the job with the failure of a launch, once the launches under way have settled, and kills their workers', async () => {
    const injected = new Error('injected: no worker for Fails');
    launches = watchLaunches('Fails', injected);
    const env = environment(mode, { 'restart-strategy.type': 'none' });
    env
      .fromCollection([1, 2, 3], Types.LONG())
      .map((x: number) => x + 1)
      .name('Starts')
      .keyBy((x: number) => x % 2)
      .map((x: number) => x * 2)
      .name('Fails')
      .addSink(new CallbackSink<number>(() => undefined));
    const error = await failureOf(env.execute('a launch fails'));
    expect(error).toBe(injected);
    expect(launches.map((l) => l.operator)).toEqual(['Starts (1/1)', 'Fails (1/1)']);
    expect(launches[0]!.worker).not.toBeNull();
    expectNoWorkerLeft(mode, launches);
  });

  it('fails a resume whose source, after a worker stage, fails in restoreState(), and kills the workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-build-failure-'));
    dirs.push(dir);
    const build = (failRestore: boolean, settings: Record<string, unknown>) => {
      const env = environment(mode, {
        'udf.arrow.batch.size': 100,
        'execution.checkpointing.interval': 100,
        'state.checkpoints.dir': dir,
        'restart-strategy.type': 'none',
        ...settings,
      });
      env
        .addSource(new Paced(6000, 50, 10), 'Paced')
        .uid('numbers')
        .map((x: number) => x + 1)
        .name('Starts')
        .addSink(new CallbackSink<number>(() => undefined));
      // Planned after the map's stage: defined after it.
      env
        .addSource(new RestoreFails(6000, failRestore), 'Restoring', Types.LONG())
        .uid('restoring')
        .addSink(new CallbackSink<number>(() => undefined));
      return env;
    };
    await runUntilCheckpoints(build(false, {}), 'restorable', 3);

    launches = watchLaunches(null, null);
    const error = await failureOf(build(true, { 'execution.savepoint.path': dir }).execute('restore fails'));
    expect((error as Error).message.split('\n')[0]).toBe("operator 'Source: Restoring': function RestoreFails.restoreState() threw: Error: cannot restore");
    expectNoWorkerLeft(mode, launches);
  });
});
