/**
 * What a worker wrote before it died reaches the host: console.* lines logged before a function
 * called process.exit or hung (they were sent on a later turn of the event loop, which never
 * came), and the last lines of its stderr in the failure's report, bounded in size (a worker
 * process's stderr is a pipe, whose queued writes process.exit discarded).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addLogSink, WorkerFailureError, type LogRecord } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { environment } from '../support/jobs.ts';

const MODES = ['process', 'thread'] as const;

let removeSink: (() => void) | null = null;
afterEach(() => removeSink?.());

/** The host's log records from workers whose message starts with `prefix`. */
function workerLines(prefix: string): LogRecord[] {
  const lines: LogRecord[] = [];
  removeSink = addLogSink((r) => {
    if (r.workerId !== undefined && r.message.startsWith(prefix)) lines.push(r);
  });
  return lines;
}

describe.each(MODES)('%s mode', (mode) => {
  it('lines logged before process.exit reach the host log with severity, operator and worker', async () => {
    const lines = workerLines('LOG-LINE');
    const env = environment(mode);
    env
      .fromCollection([1, 2, 3])
      .map((x: number) => {
        console.error(`LOG-LINE record=${x}`);
        if (x === 2) {
          console.log('LOG-LINE exiting');
          process.exit(1);
        }
        return x;
      })
      .name('Exiter')
      .print();
    const error = await failureOf<WorkerFailureError>(env.execute('log then exit'));
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('crashed');
    expect(lines.map((r) => [r.level, r.message, r.operator, r.workerId])).toEqual([
      ['error', 'LOG-LINE record=1', 'Exiter', error!.workerId],
      ['error', 'LOG-LINE record=2', 'Exiter', error!.workerId],
      ['info', 'LOG-LINE exiting', 'Exiter', error!.workerId],
    ]);
  });

  it('a burst of lines logged before process.exit reaches the host log once each, in order', async () => {
    // The relay writes lines that arrive together as one message; the host's acknowledgement of
    // it must count for each line, or the exiting worker takes them for unsent and writes them again.
    const lines = workerLines('BURST');
    const env = environment(mode);
    env
      .fromCollection([1, 2])
      .map((x: number) => {
        if (x === 2) {
          for (let i = 0; i < 500; i++) console.log(`BURST ${i}`);
          process.exit(1);
        }
        return x;
      })
      .print();
    const error = await failureOf<WorkerFailureError>(env.execute('burst then exit'));
    expect(error!.kind).toBe('crashed');
    expect(lines.map((r) => r.message)).toEqual(Array.from({ length: 500 }, (_, i) => `BURST ${i}`));
    // What the worker takes for unsent at its exit it writes to stderr: none of these.
    expect(error!.stderrTail.split('\n').filter((l) => l.includes('BURST'))).toEqual([]);
  });

  it('lines logged before a function hangs reach the host log', async () => {
    const lines = workerLines('LOG-LINE');
    const env = environment(mode, { 'udf.worker.heartbeat-interval': 100, 'udf.worker.heartbeat-timeout': 1000 });
    env
      .fromCollection([1, 2, 3])
      .map((x: number) => {
        console.warn(`LOG-LINE record=${x}`);
        let n = x;
        if (x === 2) for (;;) n = (n * 7 + 1) % 1_000_003;
        return n;
      })
      .name('Spinner')
      .print();
    const error = await failureOf<WorkerFailureError>(env.execute('log then hang'));
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('hung');
    expect(lines.map((r) => [r.level, r.message, r.operator])).toEqual([
      ['warn', 'LOG-LINE record=1', 'Spinner'],
      ['warn', 'LOG-LINE record=2', 'Spinner'],
    ]);
  });

  it("the failure's last output holds the last lines a dying worker wrote to stderr", async () => {
    const env = environment(mode);
    env
      .fromCollection([1, 2])
      .map((x: number) => {
        if (x === 2) {
          for (let i = 0; i < 3000; i++) process.stderr.write(`diagnostic line ${i} ${'.'.repeat(80)}\n`);
          process.stderr.write('FINAL LINE\n');
          process.exit(2);
        }
        return x;
      })
      .print();
    const error = await failureOf<WorkerFailureError>(env.execute('noisy exit'));
    expect(error).toBeInstanceOf(WorkerFailureError);
    const tail = error!.stderrTail.split('\n');
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe(`diagnostic line 2961 ${'.'.repeat(80)}`);
    expect(tail[39]).toBe('FINAL LINE');
  });

  it("a huge line a dying worker wrote is cut in the failure's report", async () => {
    const env = environment(mode);
    env
      .fromCollection([1, 2])
      .map((x: number) => {
        if (x === 2) {
          process.stderr.write(`${'Z'.repeat(5_000_000)}\nlast line\n`);
          process.exit(2);
        }
        return x;
      })
      .print();
    const error = await failureOf<WorkerFailureError>(env.execute('huge line'));
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.stderrTail).toBe(`${'Z'.repeat(1000)}… (5000000 characters)\nlast line`);
  });
});
