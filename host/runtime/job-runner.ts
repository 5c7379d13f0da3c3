/**
 * Runs a job: plans it, ships its functions (before anything starts), then runs attempts until
 * one finishes, the job is cancelled, or a failure may not be retried. Each restart throws the
 * failed attempt away whole (its workers killed), waits as the restart strategy says, and
 * starts again from the last completed checkpoint: state, timers and source positions restored,
 * uncommitted sink output dropped.
 */
import { randomBytes } from 'node:crypto';
import type { Configuration } from '../../shared/config/configuration.ts';
import { JobCancelledError, JobDefinitionError, WorkerFailureError } from '../../shared/errors/errors.ts';
import { JobExecutionResult, type OperatorCounts } from '../api/job-result.ts';
import { isTerminal, type JobStatus } from '../api/job-status.ts';
import { checkSources } from './sources/check-sources.ts';
import { checkSinks } from './sinks/check-sinks.ts';
import { hostThreadJobStarted } from './host-thread-jobs.ts';
import { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator.ts';
import { checkpointPath, CheckpointStorage, loadCheckpoint } from '../checkpoint/checkpoint-storage.ts';
import type { CompletedCheckpoint } from '../checkpoint/completed-checkpoint.ts';
import { adoptRestoredMaxParallelism } from '../checkpoint/restored-max-parallelism.ts';
import { restartStrategyFrom } from '../checkpoint/restart-strategy.ts';
import { planJob, transformId, type JobPlan, type SinkStage } from '../graph/plan.ts';
import type { Transformation } from '../graph/transformation.ts';
import { hostLog, type Logger } from '../log.ts';
import { LogReporter } from '../metrics/log-reporter.ts';
import type { MetricsByOperator } from '../metrics/metric-values.ts';
import { WorkerSupervisor, type SupervisedWorker } from '../workers/supervisor.ts';
import { Attempt, checkpointKey } from './attempt.ts';
import { shipFunctions, type ShippedFunctions } from './registration.ts';
import { isRestartable } from './restartable.ts';
import { createSinkWriter } from './sinks/create-sink-writer.ts';
import type { SinkWriter } from './sinks/sink-writer.ts';

export interface JobClient {
  readonly jobName: string;
  /** The job's id: 32 hex digits, as Flink's JobID prints; it names the job in the host's log. */
  getJobId(): string;
  /** Where the job is now (JobStatus): a promise, as Flink's, though it is known at once here. */
  getJobStatus(): Promise<JobStatus>;
  /** Resolves when the job finished; rejects with the reason it failed or was cancelled. */
  getJobExecutionResult(): Promise<JobExecutionResult>;
  /**
   * Cancels the job: its functions are closed (at most task.cancellation.timeout), its workers
   * killed; its result rejects with JobCancelledError.
   */
  cancel(): Promise<void>;
  /** The workers of the running attempt (process mode: with their pids). */
  workers(): readonly SupervisedWorker[];
  /**
   * The user-defined metrics of the current attempt (the last one once the job is over), as
   * JobExecutionResult.getMetrics() gives them: the values its operators' instances last
   * reported (a worker reports with each bundle).
   */
  getMetrics(): MetricsByOperator;
}

/** Thrown inside an attempt when a collect sink has its `limit`: the job ends successfully. */
class EnoughResults extends Error {}

const running = new Set<JobExecution>();

/** Cancels every job running in this process (the CLI on SIGINT/SIGTERM); resolves when their workers are gone. */
export async function cancelAllJobs(): Promise<void> {
  await Promise.all([...running].map((job) => job.cancelAndWait()));
}

export function runJob(jobName: string, transformations: Transformation[], config: Configuration): JobClient {
  const execution = new JobExecution(jobName, transformations, config, hostLog);
  running.add(execution);
  const result = execution.run().finally(() => running.delete(execution));
  execution.result = result;
  // The caller may never ask for the result (fire and forget); keep the rejection observed.
  result.catch(() => undefined);
  return {
    jobName,
    getJobId: () => execution.jobId,
    getJobStatus: () => Promise.resolve(execution.status),
    getJobExecutionResult: () => result,
    cancel: () => execution.cancelAndWait(),
    workers: () => execution.workers(),
    getMetrics: () => execution.metrics(),
  };
}

class JobExecution {
  result: Promise<JobExecutionResult> | null = null;
  readonly jobId = randomBytes(16).toString('hex');
  private current: JobStatus = 'INITIALIZING';
  private attempt: Attempt | null = null;
  /**
   * The attempt that ran to its end (every task finished), once it has: what is left is its
   * sinks' final commit, and if that fails, a restart only publishes again what it has not.
   */
  private ranToEnd: Attempt | null = null;
  private supervisor: WorkerSupervisor | null = null;
  private cancelled = false;
  private wakeFromDelay: (() => void) | null = null;
  private readonly tag = randomBytes(3).toString('hex');
  private restarts = 0;
  private readonly restartCauses: string[] = [];
  private readonly checkpointDurations: number[] = [];

  constructor(
    private readonly jobName: string,
    private readonly transformations: Transformation[],
    private readonly config: Configuration,
    private readonly log: Logger,
  ) {}

  get status(): JobStatus {
    return this.current;
  }

  /** Moves to `status`, unless the job is cancelling (only CANCELED follows) or over. */
  private moveTo(status: JobStatus): void {
    if (isTerminal(this.current)) return;
    if (this.current === 'CANCELLING' && status !== 'CANCELED') return;
    this.current = status;
  }

  async run(): Promise<JobExecutionResult> {
    const reportEvery = this.config.get('metrics.reporter.log.interval');
    const reporter = reportEvery > 0 ? new LogReporter(this.jobName, reportEvery, () => this.metrics(), this.log) : null;
    try {
      const result = await this.runInMode();
      this.moveTo('FINISHED');
      return result;
    } catch (error) {
      this.moveTo(this.cancelled || error instanceof JobCancelledError ? 'CANCELED' : 'FAILED');
      throw error;
    } finally {
      reporter?.stop();
    }
  }

  metrics(): MetricsByOperator {
    return this.attempt?.metrics.view() ?? {};
  }

  private async runInMode(): Promise<JobExecutionResult> {
    if (this.config.get('udf.execution-mode') !== 'embedded') return this.runJob();
    const release = hostThreadJobStarted((error) => this.attempt?.abort(error));
    try {
      return await this.runJob();
    } finally {
      release();
    }
  }

  /** Waits for `coordinator`'s commit under way, at most `limitMs`. */
  private async commitSettled(coordinator: CheckpointCoordinator, limitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      coordinator.idle().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limitMs))),
    ]);
    clearTimeout(timer);
    if (late) this.log.warn(`a checkpoint's commit did not finish within task.cancellation.timeout (${limitMs} ms) of the attempt stopping; going on without it`);
  }

  private async runJob(): Promise<JobExecutionResult> {
    const started = Date.now();
    const config = this.config;
    const plan = planJob(this.transformations, config);
    await checkSources(plan);
    await checkSinks(plan);
    const mode = config.get('udf.execution-mode');
    const shipped = await shipFunctions(plan, mode === 'embedded');
    let interval = config.get('execution.checkpointing.interval');
    if (plan.batch && interval > 0) {
      // As in Flink: a BATCH job takes no checkpoints; a failure restarts it from its beginning.
      this.log.info(`job '${this.jobName}' runs in BATCH mode, which takes no checkpoints: execution.checkpointing.interval (${interval} ms) is ignored`);
      interval = 0;
    }
    const storage =
      interval > 0
        ? new CheckpointStorage(
            checkpointPath('state.checkpoints.dir', config.get('state.checkpoints.dir')) || null,
            config.get('state.checkpoints.num-retained'),
            this.log,
          )
        : null;
    const savepoint = checkpointPath('execution.savepoint.path', config.get('execution.savepoint.path'));
    if (plan.batch && savepoint !== '') {
      // Its rolling aggregations would never emit the keys the checkpoint holds (their end-of-input timers are a BATCH job's own).
      throw new JobDefinitionError(
        `execution.savepoint.path (${savepoint}): a BATCH job${config.get('execution.runtime-mode') === 'automatic' ? ' (execution.runtime-mode is automatic, and every source is bounded)' : ''} starts from the beginning of its input and cannot resume from a checkpoint; run it with execution.runtime-mode streaming to resume`,
      );
    }
    let restore: CompletedCheckpoint | null = savepoint === '' ? null : await loadCheckpoint(savepoint, this.log);
    if (restore !== null) {
      this.log.info(`job '${this.jobName}' resumes from checkpoint ${restore.id} (${savepoint})`);
      for (const adopted of adoptRestoredMaxParallelism(plan, restore, checkpointKey)) this.log.info(adopted);
    }
    let nextCheckpointId = Math.max(restore?.id ?? 0, (await storage?.highestId()) ?? 0) + 1;
    const firstCheckpointId = nextCheckpointId;
    // A BATCH job's ignored interval does not make the default restart strategy fixed-delay.
    const strategy = restartStrategyFrom(config, interval > 0);
    // Output that a restart could repeat must wait for a checkpoint (or the job's end).
    const transactional = storage !== null || strategy.description !== 'none';
    // Sink writers that outlive attempts (see AttemptOptions.sinkWriter).
    const writers = new Map<string, SinkWriter>();
    let onLimit: () => void = () => undefined;
    const sinkWriter = (stage: SinkStage, subtask: number, restored: unknown): SinkWriter => {
      if (stage.transformation.sink.kind === 'file') return createSinkWriter(stage, subtask, transactional, () => onLimit(), restored);
      const id = `${stage.id}/${subtask}`;
      let writer = writers.get(id);
      if (writer === undefined) writers.set(id, (writer = createSinkWriter(stage, subtask, transactional, () => onLimit(), restored)));
      return writer;
    };
    let startupFailuresInARow = 0;
    this.log.info(
      `job '${this.jobName}' (${this.jobId}) starts (${mode} mode${plan.batch ? ', BATCH execution' : ''}, ${plan.stages.length} stages, restart strategy ${strategy.description})`,
    );

    for (let number = 0; ; number++) {
      let attempt: Attempt | null = null;
      const coordinator =
        storage === null
          ? null
          : new CheckpointCoordinator({
              intervalMs: interval,
              timeoutMs: config.get('execution.checkpointing.timeout'),
              minPauseMs: config.get('execution.checkpointing.min-pause'),
              storage,
              log: this.log,
              firstId: nextCheckpointId,
              onCompleted: (checkpoint, durationMs) => {
                restore = checkpoint;
                this.checkpointDurations.push(durationMs);
              },
              // The attempt running now (the loop's `attempt` is only set once it has ended).
              onFatal: (error) => this.attempt?.abort(error),
            });
      try {
        const finished = this.ranToEnd;
        if (finished === null) {
          attempt = await this.runAttempt(plan, shipped, number, restore, coordinator, sinkWriter, (stop) => {
            onLimit = stop;
          });
        } else {
          this.moveTo('RUNNING');
          await finished.commitAll();
          attempt = finished;
        }
        const result = new JobExecutionResult(
          this.jobName,
          Date.now() - started,
          countsOf(attempt, plan),
          this.restarts,
          this.restartCauses,
          this.checkpointDurations.length,
          this.checkpointDurations,
          attempt.metrics.view(),
        );
        this.log.info(`job '${this.jobName}' finished in ${result.netRuntimeMs} ms`);
        // Ran to its end (not stopped at a collect limit): its checkpoints are of no more use.
        if (this.ranToEnd !== null && storage !== null) await this.discardCheckpoints(storage, firstCheckpointId);
        return result;
      } catch (error) {
        nextCheckpointId = coordinator?.upcomingId ?? nextCheckpointId;
        if (this.cancelled || error instanceof JobCancelledError || !isRestartable(error, plan, config)) throw error;
        // Failed before every function was loaded and opened (a worker that cannot start, a
        // module that exits when imported, an open() that throws): a restart would most likely
        // fail the same way, so only so many in a row.
        const atStartup =
          (error instanceof WorkerFailureError && error.kind === 'startup-failed') ||
          (this.ranToEnd === null && this.attempt !== null && !this.attempt.started);
        if (atStartup) {
          startupFailuresInARow++;
          const limit = config.get('udf.worker.startup-attempts');
          if (startupFailuresInARow >= limit) {
            this.log.error(
              `job '${this.jobName}' failed and is not restarted: ${startupFailuresInARow} attempts in a row failed during start-up ` +
                `(udf.worker.startup-attempts is ${limit})`,
            );
            throw error;
          }
        } else {
          startupFailuresInARow = 0;
        }
        const decision = strategy.onFailure(Date.now());
        if (decision.restart) this.moveTo('RESTARTING');
        if (!decision.restart) {
          this.log.error(`job '${this.jobName}' failed and is not restarted: ${decision.reason}`);
          throw error;
        }
        this.restarts++;
        this.restartCauses.push(firstLine(error));
        const from = restore === null ? 'the start' : `checkpoint ${restore.id}`;
        this.log.warn(
          `job '${this.jobName}' failed: ${firstLine(error)}; restart ${this.restarts} (${strategy.description}) ` +
            `${this.ranToEnd === null ? `from ${from}` : 'of the sinks publishing its final output'} in ${decision.delayMs} ms`,
        );
        await this.delay(decision.delayMs);
        if (this.cancelled) throw new JobCancelledError(`job '${this.jobName}' was cancelled`);
      }
    }
  }

  /** A finished job's checkpoints (see CheckpointStorage.discardFrom); one that cannot be removed is only logged. */
  private async discardCheckpoints(storage: CheckpointStorage, firstId: number): Promise<void> {
    try {
      const discarded = await storage.discardFrom(firstId);
      if (discarded === 0) return;
      this.log.info(
        `job '${this.jobName}' discarded its ${discarded} retained checkpoint${discarded === 1 ? '' : 's'} in ${storage.directory ?? ''}, ` +
          "as Flink discards a finished job's: resuming from one would repeat output delivered after it",
      );
    } catch (error) {
      this.log.warn(`job '${this.jobName}' finished, but its checkpoints in ${storage.directory ?? ''} could not all be removed: ${(error as Error).message}`);
    }
  }

  private async runAttempt(
    plan: JobPlan,
    shipped: ShippedFunctions,
    number: number,
    restore: CompletedCheckpoint | null,
    coordinator: CheckpointCoordinator | null,
    sinkWriter: (stage: SinkStage, subtask: number, restored: unknown) => SinkWriter,
    setOnLimit: (stop: () => void) => void,
  ): Promise<Attempt> {
    const mode = this.config.get('udf.execution-mode');
    const supervisor = mode === 'embedded' ? null : new WorkerSupervisor(mode, this.config, this.log, `${this.tag}.${number}`);
    this.supervisor = supervisor;
    const attempt: Attempt = new Attempt({
      jobName: this.jobName,
      plan,
      shipped,
      config: this.config,
      attempt: number,
      supervisor,
      log: this.log,
      sinkWriter,
      restore,
      coordinator,
    });
    this.attempt = attempt;
    setOnLimit(() => attempt.abort(new EnoughResults(), true));
    this.moveTo('RUNNING');
    try {
      if (this.cancelled) throw new JobCancelledError(`job '${this.jobName}' was cancelled`);
      await attempt.build();
      await attempt.run();
      await supervisor?.shutdownAll();
      this.ranToEnd = attempt;
      await attempt.commitAll();
      return attempt;
    } catch (error) {
      if (!(error instanceof EnoughResults || attempt.failed instanceof EnoughResults)) this.moveTo('FAILING');
      attempt.abort(error);
      // A checkpoint's commit under way finishes before anything commits again (commitAll
      // below, or the next attempt's commit of the checkpoint it restores); a sink stuck in it
      // holds the job up no longer than a function's close may.
      if (coordinator !== null) await this.commitSettled(coordinator, this.config.get('task.cancellation.timeout'));
      // Cancelled, its limit reached or failed: its functions release what they hold (close())
      // before its workers are killed, as Flink closes a cancelled task's operators.
      await attempt.closeFunctions();
      await supervisor?.killAll();
      if (error instanceof EnoughResults || attempt.failed instanceof EnoughResults) {
        await attempt.commitAll();
        return attempt;
      }
      throw error;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFromDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async cancelAndWait(): Promise<void> {
    this.cancel();
    await this.result?.catch(() => undefined);
  }

  cancel(): void {
    this.moveTo('CANCELLING');
    this.cancelled = true;
    this.supervisor?.jobCancelling();
    this.attempt?.abort(new JobCancelledError(`job '${this.jobName}' was cancelled`));
    this.wakeFromDelay?.();
  }

  workers(): readonly SupervisedWorker[] {
    return this.supervisor?.list() ?? [];
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!;
}

const NO_STATE = { stateRequests: 0, stateOperations: 0 };

/** Per-operator counts, in the plan's order of stages (tasks start, and are listed, as their workers come up). */
function countsOf(attempt: Attempt, plan: JobPlan): OperatorCounts[] {
  const order = new Map(plan.stages.map((stage, i) => [stage.id, i] as const));
  const inPlanOrder = <T extends { stage: { id: string } }>(tasks: readonly T[]): T[] =>
    [...tasks].sort((a, b) => (order.get(a.stage.id) ?? 0) - (order.get(b.stage.id) ?? 0));
  const counts: OperatorCounts[] = [];
  const seen = new Set<string>();
  for (const { stage } of inPlanOrder(attempt.sources)) {
    if (seen.has(stage.id)) continue;
    seen.add(stage.id);
    const emitted = attempt.sources.filter((s) => s.stage === stage).reduce((n, s) => n + s.task.emitted, 0);
    counts.push({ ...NO_STATE, name: stage.name, kind: 'source', parallelism: stage.parallelism, recordsIn: 0, recordsOut: emitted });
  }
  for (const { stage } of inPlanOrder(attempt.udfs)) {
    if (seen.has(stage.id)) continue;
    seen.add(stage.id);
    const subtasks = attempt.udfs.filter((u) => u.stage === stage);
    for (const [i, t] of stage.transforms.entries()) {
      let recordsIn = 0;
      let recordsOut = 0;
      for (const u of subtasks) {
        const m = u.runner.metrics().get(transformId(t));
        recordsIn += Number(m?.elementsIn ?? 0);
        recordsOut += Number(m?.elementsOut ?? 0);
      }
      // Only the head of a stage reads a keyed input, so the stage's state is the head's.
      let stateRequests = 0;
      let stateOperations = 0;
      if (i === 0) {
        for (const u of subtasks) {
          stateRequests += u.state.requests;
          stateOperations += u.state.operations;
        }
      }
      counts.push({ name: t.name, kind: 'udf', parallelism: stage.parallelism, recordsIn, recordsOut, stateRequests, stateOperations });
    }
  }
  for (const { stage } of inPlanOrder(attempt.sinks)) {
    if (seen.has(stage.id)) continue;
    seen.add(stage.id);
    const received = attempt.sinks.filter((s) => s.stage === stage).reduce((n, s) => n + s.task.received, 0);
    counts.push({ ...NO_STATE, name: stage.name, kind: 'sink', parallelism: stage.parallelism, recordsIn: received, recordsOut: 0 });
  }
  return counts;
}
