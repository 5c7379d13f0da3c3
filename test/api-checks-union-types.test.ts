/**
 * union() takes streams of one type, as Flink's does ("Cannot union streams of different
 * types"), refusing others when it is called. A stream made without a type is GENERIC, as
 * PyFlink's untyped streams are PICKLED_BYTE_ARRAY: it unions with GENERIC streams only.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, OutputTag, ProcessFunction, StreamExecutionEnvironment, Types, type Collector, type ProcessContext } from '../host/index.ts';

const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(JobDefinitionError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

class Split extends ProcessFunction<number, number> {
  constructor(private readonly tag: OutputTag<number>) {
    super();
  }
  processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
    if (v % 2 === 1) ctx.output(this.tag, v);
    else out.collect(v);
  }
}

const HINT = 'give every input the same type (map(x => x, type) converts a stream)';

describe('union() refuses streams of different declared types, naming both', () => {
  it('INT and LONG, in either order (both are number streams to TypeScript)', () => {
    const ints = env.fromCollection([1, 2], Types.INT());
    const longs = env.fromSequence(3, 4);
    expect(refusal(() => ints.union(longs))).toBe(`Cannot union streams of different types: INT and LONG; ${HINT}`);
    expect(refusal(() => longs.union(env.fromCollection([5], Types.LONG()), ints))).toBe(`Cannot union streams of different types: LONG and INT; ${HINT}`);
  });

  it('a typed and an untyped stream', () => {
    const typed = env.fromCollection(['a'], Types.STRING());
    const untyped = env.fromCollection(['b']);
    const generic = ' (a stream made without a type is GENERIC)';
    expect(refusal(() => typed.union(untyped))).toBe(`Cannot union streams of different types: STRING and GENERIC${generic}; ${HINT}`);
    expect(refusal(() => untyped.union(typed))).toBe(`Cannot union streams of different types: GENERIC and STRING${generic}; ${HINT}`);
  });

  it('rows whose fields differ, and from a keyed stream too', () => {
    const a = env.fromCollection([{ k: 'a', n: 1 }], Types.ROW_NAMED(['k', 'n'], [Types.STRING(), Types.INT()]));
    const b = env.fromCollection([{ k: 'b', v: 1 }], Types.ROW_NAMED(['k', 'v'], [Types.STRING(), Types.INT()]));
    expect(refusal(() => a.keyBy((r) => r.k).union(b))).toBe(
      `Cannot union streams of different types: ROW_NAMED(k: STRING, n: INT) and ROW_NAMED(k: STRING, v: INT); ${HINT}`,
    );
  });

  it('adds no union when it refuses', () => {
    const local = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
    expect(() => local.fromCollection([1], Types.INT()).union(local.fromSequence(1, 2))).toThrow(JobDefinitionError);
    expect(local['transformations'].map((t) => t.kind)).toEqual(['source', 'source']);
  });
});

describe('union() takes streams of one type', () => {
  it('of one declared type, keeping it', () => {
    const u = env.fromCollection([1], Types.LONG()).union(env.fromSequence(1, 2), env.fromSequence(5, 6).map((x) => x, Types.LONG()));
    expect(String(u.getType())).toBe('LONG');
  });

  it('untyped streams, with each other and with streams declared GENERIC', () => {
    const u = env.fromCollection<unknown>([1]).union(env.fromCollection<unknown>(['x']), env.fromCollection<unknown>([{}], Types.GENERIC()));
    expect(u.getType()).toBeNull();
  });

  it('a side output, by the type of its tag', () => {
    const tag = new OutputTag<number>('odd', Types.INT());
    const split = env.fromCollection([1, 2], Types.INT()).process(new Split(tag), Types.INT());
    expect(String(split.union(split.getSideOutput(tag)).getType())).toBe('INT');
    expect(refusal(() => env.fromSequence(1, 2).union(split.getSideOutput(tag)))).toBe(`Cannot union streams of different types: LONG and INT; ${HINT}`);
  });
});
