/**
 * Helpers for end-to-end tests: the execution modes and bundle settings every end-to-end job
 * runs under, and sinks that hand results back to the test.
 */
import { SinkFunction, StreamExecutionEnvironment, type DataStream } from '../../host/index.ts';
import { setStderrLogging } from '../../host/log.ts';

// Worker log lines are checked through log sinks where a test cares; keep test output quiet.
setStderrLogging(process.env['SLUICE_TEST_LOGS'] === '1');

export const MODES = ['process', 'thread', 'embedded'] as const;
export type Mode = (typeof MODES)[number];

/** Bundle sizes 1, 7 and the default, with Arrow batch sizes 1 and the default. */
export const BUNDLE_SETTINGS: Record<string, Record<string, number>> = {
  'bundle 1, batch 1': { 'udf.bundle.size': 1, 'udf.arrow.batch.size': 1 },
  'bundle 1, batch default': { 'udf.bundle.size': 1 },
  'bundle 7, batch 1': { 'udf.bundle.size': 7, 'udf.arrow.batch.size': 1 },
  'bundle 7, batch default': { 'udf.bundle.size': 7 },
  'bundle default, batch 1': { 'udf.arrow.batch.size': 1 },
  'bundle default, batch default': {},
};

export function environment(mode: Mode, settings: Record<string, unknown> = {}): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': mode, ...settings });
}

/** A sink that hands every record to `receive` (sinks run in the host, so closures are fine). */
export class CallbackSink<T> extends SinkFunction<T> {
  constructor(private readonly receive: (value: T) => void) {
    super();
  }
  invoke(value: T): void {
    this.receive(value);
  }
}

/** Adds a sink collecting the stream into the returned array (filled as the job runs). */
export function collect<T>(stream: DataStream<T>, name?: string): T[] {
  const results: T[] = [];
  const sink = stream.addSink(new CallbackSink<T>((v) => results.push(v)));
  if (name !== undefined) sink.name(name);
  return results;
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
