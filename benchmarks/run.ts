/**
 * The benchmark suite: `npm run bench` runs every case, `npx tsx benchmarks/run.ts <case-id> …`
 * chosen ones, `--quick` a smoke check (see USAGE in lib/cli-options.ts and README.md).
 *
 * Each case runs in a Node process of its own (case-process.ts); this process only starts
 * them one after the other, so cases never compete for the two cores, and then checks that
 * every case process exited and every worker process it started is gone. The run's section
 * is printed and, for full runs, added to RESULTS.md.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseMessage } from './case-process.ts';
import type { CaseOptions, CaseReport } from './lib/benchmark-case.ts';
import { parseRunOptions, UsageError, type RunOptions } from './lib/cli-options.ts';
import { describeMachine } from './lib/machine.ts';
import { addRunToResults, renderRun, type RunRecord } from './lib/results-file.ts';
import { isAlive } from './lib/worker-exit.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const CASE_PROCESS = fileURLToPath(new URL('./case-process.ts', import.meta.url));
/** Time a case process gets to exit once it has sent its report. */
const EXIT_GRACE_MS = 10_000;

interface CaseOutcome {
  report: CaseReport | null;
  failure: string | null;
  workerPids: number[];
  warnings: string[];
}

async function main(): Promise<number> {
  let options: RunOptions | null;
  try {
    options = parseRunOptions(process.argv.slice(2), (text) => console.log(text));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (options === null) return 0;

  const machine = describeMachine(ROOT);
  const startedAt = new Date();
  const started = performance.now();
  const caseOptions: CaseOptions = { quick: options.quick, repetitions: options.repetitions, records: options.records };
  console.error(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage[0].toFixed(2)}: ` +
    `${options.caseIds.join(', ')}, ${options.repetitions} repetition(s)${options.quick ? ', quick' : ''}`);

  const record: RunRecord = {
    startedAt,
    durationMs: 0,
    command: commandLine(process.argv.slice(2)),
    machine,
    repetitions: options.repetitions,
    quick: options.quick,
    fullSuite: options.fullSuite,
    reports: [],
    caseMinutes: [],
    failures: [],
    warnings: [],
  };
  const workerPids: number[] = [];
  for (const id of options.caseIds) {
    const caseStarted = performance.now();
    const outcome = await runCaseProcess(id, caseOptions);
    record.caseMinutes.push({ id, minutes: (performance.now() - caseStarted) / 60_000 });
    workerPids.push(...outcome.workerPids);
    record.warnings.push(...outcome.warnings);
    if (outcome.report !== null) record.reports.push(outcome.report);
    if (outcome.failure !== null) record.failures.push({ id, message: outcome.failure });
  }
  const alive = [...new Set(workerPids)].filter(isAlive);
  if (alive.length > 0) record.warnings.push(`worker processes still alive after the run: ${alive.join(', ')}`);
  console.error(`checked ${new Set(workerPids).size} worker process id(s) after the run: ${alive.length === 0 ? 'none alive' : `${alive.length} alive`}`);
  record.durationMs = performance.now() - started;

  const section = renderRun(record);
  process.stdout.write(`\n${section}`);
  if (options.write) {
    addRunToResults(RESULTS, section);
    console.error(`added to ${RESULTS}`);
  }
  return record.failures.length > 0 || alive.length > 0 ? 1 : 0;
}

function runCaseProcess(id: string, options: CaseOptions): Promise<CaseOutcome> {
  const outcome: CaseOutcome = { report: null, failure: null, workerPids: [], warnings: [] };
  const child = fork(CASE_PROCESS, [id, JSON.stringify(options)], {
    cwd: ROOT,
    // No --expose-gc: a forced collection changes how V8 collects afterwards (interleave.ts).
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let graceTimer: NodeJS.Timeout | undefined;
  const startGrace = (): void => {
    graceTimer ??= setTimeout(() => {
      outcome.warnings.push(
        `the ${id} case process had not exited ${EXIT_GRACE_MS / 1000} s after it finished: something it ` +
          'started (a worker, a socket, a timer) still held its event loop; it was killed',
      );
      child.kill('SIGKILL');
    }, EXIT_GRACE_MS);
  };
  child.on('message', (message: CaseMessage) => {
    if (message.kind === 'workers') outcome.workerPids.push(...message.pids);
    else if (message.kind === 'report') outcome.report = message.report;
    else outcome.failure = message.message;
  });
  child.on('disconnect', startGrace);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(graceTimer);
      if (outcome.report === null && outcome.failure === null) {
        outcome.failure = `the case process ended (${signal ?? `exit code ${code}`}) without a report`;
      }
      resolve(outcome);
    });
  });
}

/** The command as the user typed it (near enough to paste again). */
function commandLine(args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  if (process.env['npm_lifecycle_event'] === 'bench') return `npm run bench${quoted === '' ? '' : ` -- ${quoted}`}`;
  return `npx tsx benchmarks/run.ts${quoted === '' ? '' : ` ${quoted}`}`;
}

process.exitCode = await main();
