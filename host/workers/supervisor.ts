/**
 * Starts and watches a job's workers. A worker that exits while the job needs it, that fails to
 * connect at start-up, or that stops answering heartbeats fails its WorkerClient with a
 * WorkerFailureError that tells apart "killed by signal", "crashed (exit code)", "exceeded its
 * memory limit", "hung" and "failed during start-up" (it died before connecting, or before its
 * functions were registered), with the tail of its stderr. Every worker
 * is gone when the job ends: normally (shutdown), on failure or cancellation (killed).
 *
 * A job starts at most two workers per core at once (STARTS_PER_CORE); the others wait for a
 * start to end, and udf.worker.startup-timeout runs from when a worker's own start begins. A
 * start is mostly CPU (loading Node or a thread, tsx, gRPC and the harness): a job of fifty operators
 * starting all its workers together on two cores gave each a fiftieth of them, and workers
 * that were only waiting their turn timed out.
 *
 * Start-up has two parts, each given udf.worker.startup-timeout; the wait between them, for the
 * attempt's other workers to start, is neither:
 *
 *   launch ──▶ connected (four streams)          timed here: killed, 'startup-failed'
 *   register ─▶ functions loaded, open() done     timed by the worker, which names the function
 *                                                 (STARTUP_TIMEOUT), and here, a little later,
 *                                                 for one that cannot say (its event loop blocked)
 *
 * A start-up that never settles (an open() whose promise never resolves, a module whose
 * top-level await never does) keeps the event loop free, so heartbeats alone would never end it.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { WorkerFailureError, type WorkerFailureKind } from '../../shared/errors/errors.ts';
import type { Configuration } from '../../shared/config/configuration.ts';
import type { Logger } from '../log.ts';
import { GrpcEndpoint } from './grpc-endpoint.ts';
import { launchProcessWorker } from './process-launcher.ts';
import { launchThreadWorker } from './thread-launcher.ts';
import { HEARTBEAT_ACTIVITY, WorkerClient } from './worker-client.ts';
import type { WorkerExit, WorkerHandle } from './worker-handle.ts';
import { workerBuild } from './worker-build.ts';

const STARTS_PER_CORE = 2;

export interface SupervisedWorker {
  readonly handle: WorkerHandle;
  readonly client: WorkerClient;
  readonly operator: string;
}

interface Entry extends SupervisedWorker {
  expectedExit: boolean;
  killedAs: WorkerFailureKind | null;
  /** Why it was killed, when killedAs alone does not say (a start-up that did not complete). */
  killedBecause: string | null;
  heartbeat: NodeJS.Timeout | null;
  exit: WorkerExit | null;
}

export class WorkerSupervisor {
  /** One endpoint per job, started by the first launch (a promise: launches run concurrently). */
  private endpoint: Promise<GrpcEndpoint> | null = null;
  private readonly workers = new Map<string, Entry>();
  private nextId = 1;
  private readonly starts = pLimit(STARTS_PER_CORE * availableParallelism());
  /** The job is being cancelled: workers dying now (a SIGTERM sent to the whole process group, say) are no error. */
  private cancelling = false;
  /** The log for what a worker's death or lost streams say: errors, unless the job is being cancelled. */
  private readonly failureLog: Logger;

  constructor(
    private readonly mode: 'process' | 'thread',
    private readonly config: Configuration,
    private readonly log: Logger,
    private readonly jobTag: string,
  ) {
    this.failureLog = {
      trace: (message) => log.trace(message),
      debug: (message) => log.debug(message),
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message) => (this.cancelling ? log.info(message) : log.error(message)),
      write: (record) => log.write(record),
    };
  }

  /**
   * The job is being cancelled: from now on a worker that dies or drops its streams is logged as
   * information, not as an error (it still fails what waits on it, so nothing waits for it).
   */
  jobCancelling(): void {
    this.cancelling = true;
  }

  /** Starts a worker (when its turn to start comes) and resolves once its four streams are connected. */
  launch(operator: string): Promise<SupervisedWorker> {
    const workerId = `${this.jobTag}-${this.nextId++}`;
    return this.starts(() => this.start(workerId, operator));
  }

  private async start(workerId: string, operator: string): Promise<SupervisedWorker> {
    const memoryLimitBytes = this.config.get('udf.worker.memory-limit');
    // Made (or found fresh) before the start-up timeout runs: only the first job of a host waits.
    const build = await workerBuild(this.log);
    let handle: WorkerHandle;
    if (this.mode === 'process') {
      this.endpoint ??= GrpcEndpoint.start(this.log);
      handle = launchProcessWorker(await this.endpoint, {
        workerId,
        memoryLimitBytes,
        log: this.log,
        build,
        dataThread: this.config.get('udf.process.data-thread'),
      });
    } else {
      handle = launchThreadWorker({ workerId, memoryLimitBytes, log: this.log, build, spinMs: this.config.get('udf.thread.spin-time') });
    }
    const startupTimeout = this.config.get('udf.worker.startup-timeout');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      handle.connection.then((connection) => ({ connection })),
      handle.exited.then((exit) => ({ exit })),
      new Promise<{ timeout: true }>((resolve) => {
        timer = setTimeout(() => resolve({ timeout: true }), startupTimeout);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!('connection' in outcome)) {
      handle.kill();
      const exit = 'exit' in outcome ? outcome.exit : await handle.exited;
      throw new WorkerFailureError({
        kind: 'startup-failed',
        workerId,
        operator,
        exitCode: exit.code,
        signal: exit.signal,
        stderrTail: exit.stderrTail,
        detail: 'timeout' in outcome ? `it did not connect within udf.worker.startup-timeout (${startupTimeout} ms)` : describeExit(exit, 'before connecting'),
      });
    }
    // The Control stream ending means the worker is going: its exit (awaited briefly) says how.
    const client: WorkerClient = new WorkerClient(outcome.connection, workerId, this.failureLog, () => this.onStreamsClosed(entry));
    const entry: Entry = { handle, client, operator, expectedExit: false, killedAs: null, killedBecause: null, heartbeat: null, exit: null };
    this.workers.set(workerId, entry);
    client.onStartupTimeout((detail) => this.killAtStartup(entry, detail));
    void handle.exited.then((exit) => this.onExit(entry, exit));
    this.startHeartbeats(entry);
    this.log.debug(`worker ${workerId} (${this.mode}${handle.pid === undefined ? '' : `, pid ${handle.pid}`}) runs '${operator}'`);
    return entry;
  }

  /** The workers of this job (for tests and fault injection). */
  list(): SupervisedWorker[] {
    return [...this.workers.values()];
  }

  /** Asks every worker to shut down, and kills those that do not exit in time. */
  async shutdownAll(): Promise<void> {
    const entries = [...this.workers.values()];
    await Promise.all(
      entries.map(async (entry) => {
        this.stopHeartbeats(entry);
        entry.expectedExit = true;
        entry.client.expectClose();
        if (entry.exit === null && entry.client.failed === null) {
          await withTimeout(entry.client.instruct({ shutdown: {} }, 'shutting down'), 5000).catch(() => undefined);
        }
        entry.client.close();
        const exited = await withTimeout(entry.handle.exited, 5000).catch(() => null);
        if (exited === null) {
          entry.handle.kill();
          await entry.handle.exited;
        }
      }),
    );
    await this.stopEndpoint();
  }

  /** Kills every worker at once (failure, cancellation) and waits until they are gone. */
  async killAll(): Promise<void> {
    const entries = [...this.workers.values()];
    for (const entry of entries) {
      this.stopHeartbeats(entry);
      entry.expectedExit = true;
      entry.handle.kill();
    }
    await Promise.all(entries.map((e) => e.handle.exited));
    for (const entry of entries) entry.client.close();
    await this.stopEndpoint();
  }

  private async stopEndpoint(): Promise<void> {
    const endpoint = this.endpoint;
    this.endpoint = null;
    await (await endpoint?.catch(() => null))?.stop();
  }

  private onStreamsClosed(entry: Entry): void {
    if (entry.expectedExit || entry.exit !== null) return;
    const grace = setTimeout(() => {
      if (entry.exit !== null || entry.expectedExit) return;
      // Still running without its streams: it is of no use any more.
      const error = new WorkerFailureError({
        kind: 'lost',
        workerId: entry.handle.id,
        operator: entry.operator,
        activity: entry.client.activity(),
      });
      this.failureLog.error(error.message);
      entry.client.fail(error);
      entry.expectedExit = true;
      entry.handle.kill();
    }, STREAM_CLOSE_GRACE_MS);
    grace.unref();
  }

  private onExit(entry: Entry, exit: WorkerExit): void {
    entry.exit = exit;
    this.stopHeartbeats(entry);
    if (entry.expectedExit && entry.killedAs === null) return;
    let kind: WorkerFailureKind =
      entry.killedAs ?? (exit.outOfMemory ? 'memory-limit' : exit.signal !== null ? 'killed' : 'crashed');
    // Dead before its functions were loaded and opened (a module that exits when imported, say):
    // it never started, and the job counts it with the start-up failures (udf.worker.startup-attempts).
    const duringStartup = !entry.client.registered && (kind === 'crashed' || kind === 'killed');
    if (duringStartup) kind = 'startup-failed';
    const error = new WorkerFailureError({
      kind,
      workerId: entry.handle.id,
      operator: entry.operator,
      exitCode: exit.code,
      signal: exit.signal,
      stderrTail: exit.stderrTail,
      activity: entry.client.activity(),
      ...(duringStartup ? { detail: describeExit(exit, 'before its functions were loaded and opened') } : {}),
      ...(entry.killedBecause === null ? {} : { detail: entry.killedBecause }),
    });
    this.failureLog.error(error.message);
    entry.client.fail(error);
  }

  /** Its start-up did not complete in time: killed, and reported as a start-up failure once it has exited. */
  private killAtStartup(entry: Entry, detail: string): void {
    if (entry.killedAs !== null || entry.expectedExit || entry.exit !== null) return;
    this.log.error(`worker ${entry.handle.id} (operator '${entry.operator}'): ${detail}; killing it`);
    entry.killedAs = 'startup-failed';
    entry.killedBecause = detail;
    this.stopHeartbeats(entry);
    entry.handle.kill();
  }

  private startHeartbeats(entry: Entry): void {
    const interval = this.config.get('udf.worker.heartbeat-interval');
    const timeout = this.config.get('udf.worker.heartbeat-timeout');
    const startupTimeout = this.config.get('udf.worker.startup-timeout');
    // Until it has registered, a worker is starting: it gets the start-up timeout for its
    // silence, if that is the longer.
    const silenceAtStartup = Math.max(timeout, startupTimeout);
    let lastAnswer = Date.now();
    let inFlight = false;
    entry.heartbeat = setInterval(() => {
      const now = Date.now();
      const registering = entry.client.registered ? null : entry.client.registering;
      if (registering !== null) {
        // Loading and opening its functions: limited by the start-up timeout, blocked or not.
        // The worker keeps that deadline itself and says where it was; this is for a worker that
        // cannot, and so comes a moment later (STARTUP_REPORT_GRACE_MS).
        if (now - registering.since > startupTimeout + STARTUP_REPORT_GRACE_MS) {
          this.killAtStartup(
            entry,
            `loading and opening its functions (${registering.functions}) did not complete within ` +
              `udf.worker.startup-timeout (${startupTimeout} ms), and the worker did not say where it was ` +
              '(synchronous code that does not return may be blocking it)',
          );
          return;
        }
      } else {
        const limit = entry.client.registered ? timeout : silenceAtStartup;
        if (now - lastAnswer > limit) {
          this.log.error(`worker ${entry.handle.id} did not answer heartbeats for ${limit} ms; killing it`);
          entry.killedAs = 'hung';
          this.stopHeartbeats(entry);
          entry.handle.kill();
          return;
        }
      }
      if (inFlight) return;
      inFlight = true;
      entry.client.instruct({ heartbeat: { sentAt: Date.now() } }, HEARTBEAT_ACTIVITY).then(
        (response) => {
          inFlight = false;
          lastAnswer = Date.now();
          entry.client.heartbeatAnswered(response);
        },
        () => {
          inFlight = false;
        },
      );
    }, interval);
    entry.heartbeat.unref();
  }

  private stopHeartbeats(entry: Entry): void {
    if (entry.heartbeat !== null) clearInterval(entry.heartbeat);
    entry.heartbeat = null;
  }
}

/** How long a worker whose streams closed has to exit before it is reported as lost. */
const STREAM_CLOSE_GRACE_MS = 2000;

/** How long past udf.worker.startup-timeout a registering worker has to report the timeout itself. */
const STARTUP_REPORT_GRACE_MS = 2000;

function describeExit(exit: WorkerExit, when: string): string {
  if (exit.outOfMemory) return 'it ran out of memory';
  if (exit.signal !== null) return `it was killed by signal ${exit.signal} ${when}`;
  return `it exited with code ${exit.code ?? 'unknown'} ${when}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
