/**
 * What windows refuse when a job is defined, and what they take: a window's reduce and aggregate
 * functions run inside its state's update, so one declared async is refused at the call (it used
 * to fail on a window's second element, in words about state); a negative Time is an offset
 * Flink documents (days at UTC+8's midnight: of(Time.days(1), Time.hours(-8))).
 */
import { describe, expect, it } from 'vitest';
import { AggregateFunction, JobDefinitionError, StreamExecutionEnvironment, Time, TumblingEventTimeWindows } from '../host/index.ts';

type E = [string, number];

/** As a JavaScript user could write it (TypeScript's types already refuse an async add()). */
class AsyncAdd {
  createAccumulator(): number {
    return 0;
  }
  async add(e: E, acc: number): Promise<number> {
    return acc + e[1];
  }
  getResult(acc: number): number {
    return acc;
  }
}

function windowed() {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  return env
    .fromCollection<E>([['a', 1]])
    .keyBy((e) => e[0])
    .window(TumblingEventTimeWindows.of(10));
}

function refusal(define: () => unknown): string {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(JobDefinitionError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('window functions that must be synchronous', () => {
  it('an async reduce function is refused at reduce()', () => {
    expect(refusal(() => windowed().reduce(async (x: E, y: E): Promise<E> => [x[0], x[1] + y[1]]))).toBe(
      "reduce(): the function is async; a window's reduce function must return its result (the window keeps it in its state within the call, as in Flink); use process() for asynchronous work",
    );
  });

  it("an AggregateFunction with an async add() is refused at aggregate()", () => {
    expect(refusal(() => windowed().aggregate(new AsyncAdd() as unknown as AggregateFunction<E, number, number>))).toBe(
      "aggregate(): its add() is async; a window's aggregate function must return its result (the window keeps it in its state within the call, as in Flink); use process() for asynchronous work",
    );
  });

  it('a synchronous reduce function is taken', () => {
    expect(refusal(() => windowed().reduce((x: E, y: E): E => [x[0], x[1] + y[1]]))).toBe('accepted');
  });
});

describe('a negative Time', () => {
  it('is an offset: days aligned to 16:00 UTC (midnight at UTC+8)', () => {
    const assigner = TumblingEventTimeWindows.of(Time.days(1), Time.hours(-8));
    const [window] = assigner.assignWindows(0, 0);
    expect([window!.start, window!.end]).toEqual([-8 * 3_600_000, 16 * 3_600_000]);
  });

  it('is still refused as a size', () => {
    expect(() => TumblingEventTimeWindows.of(Time.hours(-1))).toThrow(RangeError);
  });
});
