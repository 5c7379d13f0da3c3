/**
 * Runs a job: plans it, ships its functions (before anything starts), then runs attempts until
 * one finishes, the job is cancelled, or a failure may not be retried.
 */
import { randomBytes } from 'node:crypto';
import type { Configuration } from '../../shared/config/configuration.ts';
import { JobCancelledError } from '../../shared/errors/errors.ts';
import { JobExecutionResult, type OperatorCounts } from '../api/job-result.ts';
import { planJob, transformId, type JobPlan } from '../graph/plan.ts';
import type { Transformation } from '../graph/transformation.ts';
import { hostLog, type Logger } from '../log.ts';
import { WorkerSupervisor, type SupervisedWorker } from '../workers/supervisor.ts';
import { Attempt } from './attempt.ts';
import { shipFunctions, type ShippedFunctions } from './registration.ts';

export interface JobClient {
  readonly jobName: string;
  /** Resolves when the job finished; rejects with the reason it failed or was cancelled. */
  getJobExecutionResult(): Promise<JobExecutionResult>;
  /** Cancels the job: its workers are killed, its result rejects with JobCancelledError. */
  cancel(): Promise<void>;
  /** The workers of the running attempt (process mode: with their pids). */
  workers(): readonly SupervisedWorker[];
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
    getJobExecutionResult: () => result,
    cancel: async () => {
      execution.cancel();
      await result.catch(() => undefined);
    },
    workers: () => execution.workers(),
  };
}

class JobExecution {
  private attempt: Attempt | null = null;
  private supervisor: WorkerSupervisor | null = null;
  private cancelled = false;
  private readonly tag = randomBytes(3).toString('hex');

  constructor(
    private readonly jobName: string,
    private readonly transformations: Transformation[],
    private readonly config: Configuration,
    private readonly log: Logger,
  ) {}

  async run(): Promise<JobExecutionResult> {
    const started = Date.now();
    const plan = planJob(this.transformations, this.config);
    const mode = this.config.get('udf.execution-mode');
    const shipped = await shipFunctions(plan, mode === 'embedded');
    this.log.info(`job '${this.jobName}' starts (${mode} mode, ${plan.stages.length} stages)`);
    const attempt = await this.runAttempt(plan, shipped, 0);
    const result = new JobExecutionResult(this.jobName, Date.now() - started, countsOf(attempt), 0, [], 0);
    this.log.info(`job '${this.jobName}' finished in ${result.netRuntimeMs} ms`);
    return result;
  }

  private async runAttempt(plan: JobPlan, shipped: ShippedFunctions, number: number): Promise<Attempt> {
    const mode = this.config.get('udf.execution-mode');
    const supervisor = mode === 'embedded' ? null : new WorkerSupervisor(mode, this.config, this.log, this.tag);
    this.supervisor = supervisor;
    const attempt = new Attempt({
      jobName: this.jobName,
      plan,
      shipped,
      config: this.config,
      attempt: number,
      supervisor,
      log: this.log,
      transactionalSinks: false,
      onLimit: () => attempt.abort(new EnoughResults()),
    });
    this.attempt = attempt;
    try {
      if (this.cancelled) throw new JobCancelledError(`job '${this.jobName}' was cancelled`);
      await attempt.build();
      await attempt.run();
      await supervisor?.shutdownAll();
      return attempt;
    } catch (error) {
      attempt.abort(error);
      await supervisor?.killAll();
      if (error instanceof EnoughResults || attempt.failed instanceof EnoughResults) return attempt;
      throw error;
    }
  }

  result: Promise<JobExecutionResult> | null = null;

  async cancelAndWait(): Promise<void> {
    this.cancel();
    await this.result?.catch(() => undefined);
  }

  cancel(): void {
    this.cancelled = true;
    this.attempt?.abort(new JobCancelledError(`job '${this.jobName}' was cancelled`));
  }

  workers(): readonly SupervisedWorker[] {
    return this.supervisor?.list() ?? [];
  }
}

const NO_STATE = { stateRequests: 0, stateOperations: 0 };

function countsOf(attempt: Attempt): OperatorCounts[] {
  const counts: OperatorCounts[] = [];
  const seen = new Set<string>();
  for (const { stage } of attempt.sources) {
    if (seen.has(stage.id)) continue;
    seen.add(stage.id);
    const emitted = attempt.sources.filter((s) => s.stage === stage).reduce((n, s) => n + s.task.emitted, 0);
    counts.push({ ...NO_STATE, name: stage.name, kind: 'source', parallelism: stage.parallelism, recordsIn: 0, recordsOut: emitted });
  }
  for (const { stage } of attempt.udfs) {
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
      // Only the head of a stage reads a keyed input, so its state is the stage's.
      const state = i === 0 ? subtasks.reduce((n, u) => ({ requests: n.requests + u.state.requests, operations: n.operations + u.state.operations }), { requests: 0, operations: 0 }) : { requests: 0, operations: 0 };
      counts.push({
        name: t.name,
        kind: 'udf',
        parallelism: stage.parallelism,
        recordsIn,
        recordsOut,
        stateRequests: state.requests,
        stateOperations: state.operations,
      });
    }
  }
  for (const { stage } of attempt.sinks) {
    if (seen.has(stage.id)) continue;
    seen.add(stage.id);
    const received = attempt.sinks.filter((s) => s.stage === stage).reduce((n, s) => n + s.task.received, 0);
    counts.push({ ...NO_STATE, name: stage.name, kind: 'sink', parallelism: stage.parallelism, recordsIn: received, recordsOut: 0 });
  }
  return counts;
}
