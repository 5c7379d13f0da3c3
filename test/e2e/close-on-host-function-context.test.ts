/**
 * The functions the host runs (addSource's, addSink's) get a runtime context in open(), as the
 * workers' functions do: a sink at parallelism 2 learns which instance each open() is for. A
 * source function is opened before run() and closed after it.
 */
import { describe, expect, it } from 'vitest';
import { SinkFunction, SourceFunction, Types, ValueStateDescriptor, type RuntimeContext, type SourceContext } from '../../host/index.ts';
import { environment, MODES } from '../support/jobs.ts';

interface Seen {
  who: string;
  subtask: number;
  parallelism: number;
  task: string;
  attempt: number;
  bundleSize: string;
  unset: string;
  keyedState: string;
}

function describeContext(who: string, ctx: RuntimeContext): Seen {
  let keyedState = 'allowed';
  try {
    ctx.getState(new ValueStateDescriptor('v', Types.LONG()));
  } catch (error) {
    keyedState = (error as Error).message;
  }
  return {
    who,
    subtask: ctx.getIndexOfThisSubtask(),
    parallelism: ctx.getNumberOfParallelSubtasks(),
    task: ctx.getTaskName(),
    attempt: ctx.getAttemptNumber(),
    bundleSize: ctx.getJobParameter('udf.bundle.size', 'unset'),
    unset: ctx.getJobParameter('no.such.key', 'the default'),
    keyedState,
  };
}

class ContextSource extends SourceFunction<number> {
  constructor(private readonly events: (event: string | Seen) => void) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.events(describeContext('source', ctx));
  }
  run(ctx: SourceContext<number>): void {
    this.events('source run');
    for (let i = 0; i < 10; i++) void ctx.collect(i);
  }
  override close(): void {
    this.events('source close');
  }
}

class ContextSink extends SinkFunction<number> {
  constructor(private readonly events: (event: string | Seen) => void) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.events(describeContext('sink', ctx));
  }
  invoke(): void {}
  override close(): void {
    this.events('sink close');
  }
}

const NO_KEYED_STATE = (task: string): string =>
  `'${task}' has no keyed state: keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation, ` +
  'by the functions run in workers (a source or a sink function is not one of them).';

describe.each(MODES)('%s mode', (mode) => {
  it("a sink at parallelism 2 and a source get their instance's runtime context in open(); each open() is followed by one close()", async () => {
    const env = environment(mode, { 'udf.bundle.size': 7 });
    const events: (string | Seen)[] = [];
    const record = (event: string | Seen): void => {
      events.push(event);
    };
    env
      .addSource(new ContextSource(record), 'Numbers', Types.LONG())
      .map((x: number) => x + 1, Types.LONG())
      .addSink(new ContextSink(record))
      .name('Contexts')
      .setParallelism(2);
    await env.execute('contexts');
    const common = { attempt: 0, bundleSize: '7', unset: 'the default' };
    const contexts = events.filter((e): e is Seen => typeof e !== 'string').sort((a, b) => a.who.localeCompare(b.who) || a.subtask - b.subtask);
    expect(contexts).toEqual([
      { who: 'sink', subtask: 0, parallelism: 2, task: 'Contexts', ...common, keyedState: NO_KEYED_STATE('Contexts') },
      { who: 'sink', subtask: 1, parallelism: 2, task: 'Contexts', ...common, keyedState: NO_KEYED_STATE('Contexts') },
      { who: 'source', subtask: 0, parallelism: 1, task: 'Source: Numbers', ...common, keyedState: NO_KEYED_STATE('Source: Numbers') },
    ]);
    const strings = events.filter((e): e is string => typeof e === 'string');
    expect(strings.filter((e) => e.startsWith('source'))).toEqual(['source run', 'source close']);
    expect(strings.filter((e) => e.startsWith('sink'))).toEqual(['sink close', 'sink close']);
    // The source was opened before it ran.
    expect(events.findIndex((e) => typeof e !== 'string' && e.who === 'source')).toBeLessThan(events.indexOf('source run'));
  });
});
