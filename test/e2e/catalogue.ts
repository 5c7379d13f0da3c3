/**
 * A job that exercises every operator of the DataStream API at once: each pipeline ends in its
 * own collecting sink, with the exact output it must produce. The end-to-end suite runs it in
 * every execution mode and under every bundle setting; the expected values never change.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FileSource,
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  NumberSequenceSource,
  Partitioner,
  ProcessFunction,
  ReduceFunction,
  SourceFunction,
  StreamFormat,
  Time,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type ProcessContext,
  type RuntimeContext,
  type StreamExecutionEnvironment,
} from '../../host/index.ts';
import { shout, Tokenizer } from '../fixtures/functions.ts';
import { collect } from '../support/jobs.ts';
import { WithWindow } from './window-functions.ts';

export interface Pipeline {
  results: unknown[];
  expected: unknown[];
  /** Compare as multisets (parallel pipelines do not keep a global order). */
  unordered?: boolean;
}

class Scale extends MapFunction<number, number> {
  offset = 0;
  constructor(readonly factor: number) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.offset = 100 + ctx.getIndexOfThisSubtask();
  }
  map(value: number): number {
    return value * this.factor + this.offset;
  }
}

/** Which parallel instance each record reached. */
class SubtaskOf extends MapFunction<number, number> {
  index = -1;
  override open(ctx: RuntimeContext): void {
    this.index = ctx.getIndexOfThisSubtask();
  }
  map(): number {
    return this.index;
  }
}

/** The parallel instance each record reached, with the record. */
class SubtaskAndValue extends MapFunction<number, [number, number]> {
  index = -1;
  override open(ctx: RuntimeContext): void {
    this.index = ctx.getIndexOfThisSubtask();
  }
  map(value: number): [number, number] {
    return [this.index, value];
  }
}

/** A key's partition: its remainder. */
class ByRemainder extends Partitioner<number> {
  partition(key: number, numPartitions: number): number {
    return key % numPartitions;
  }
}

/** The value plus an offset set in open(): odd values get even keys only if open() ran. */
class OffsetKey extends KeySelector<number, number> {
  offset = 0;
  override open(): void {
    this.offset = 1;
  }
  getKey(value: number): number {
    return value + this.offset;
  }
}

class Twice extends FlatMapFunction<string, string> {
  flatMap(value: string, out: Collector<string>): void {
    out.collect(value);
    out.collect(value.toUpperCase());
  }
}

class Even extends FilterFunction<number> {
  filter(value: number): boolean {
    return value % 2 === 0;
  }
}

class Tag extends ProcessFunction<number, [number, number | null]> {
  processElement(value: number, ctx: ProcessContext, out: Collector<[number, number | null]>): void {
    out.collect([value, ctx.timestamp()]);
  }
}

class Longest extends ReduceFunction<string> {
  reduce(a: string, b: string): string {
    return b.length > a.length ? b : a;
  }
}

class KeyedTag extends KeyedProcessFunction<string, [string, number], string> {
  *processElement(value: [string, number], ctx: KeyedProcessContext<string>): Generator<string> {
    yield `${ctx.getCurrentKey()}:${value[1]}`;
  }
}

class Countdown extends SourceFunction<number> {
  constructor(private readonly from: number) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    for (let i = this.from; i > 0; i--) yield i;
  }
}

const SCORES: [string, number, string][] = [
  ['a', 5, 'first'],
  ['b', 2, 'second'],
  ['a', 3, 'third'],
  ['a', 9, 'fourth'],
  ['b', 7, 'fifth'],
  ['a', 3, 'sixth'],
];

export function buildCatalogue(env: StreamExecutionEnvironment, dir: string): Record<string, Pipeline> {
  const p: Record<string, Pipeline> = {};
  const add = (name: string, results: unknown[], expected: unknown[], unordered = false): void => {
    p[name] = { results, expected, unordered };
  };

  add('map with a lambda', collect(env.fromCollection([1, 2, 3, 4, 5]).map((x) => x * 10)), [10, 20, 30, 40, 50]);
  add(
    'map with a function class: fields, open()',
    collect(env.fromCollection([1, 2, 3]).map(new Scale(3))),
    [103, 106, 109],
  );
  add(
    'map with declared types',
    collect(env.fromCollection([1, 2, 3], Types.LONG()).map((x) => x * 2, Types.LONG()).name('Doubler')),
    [2, 4, 6],
  );
  add(
    'flatMap with a lambda returning an array',
    collect(env.fromCollection(['a b', 'c', '']).flatMap((s: string) => s.split(' ').filter((w) => w !== ''))),
    ['a', 'b', 'c'],
  );
  add('flatMap with out.collect', collect(env.fromCollection(['x', 'y']).flatMap(new Twice())), ['x', 'X', 'y', 'Y']);
  add(
    'flatMap with a generator function',
    collect(
      env.fromCollection([1, 2]).flatMap(function* mirror(v: number) {
        yield v;
        yield -v;
      }),
    ),
    [1, -1, 2, -2],
  );
  add(
    'filter with a lambda, over fromSequence',
    collect(env.fromSequence(1, 20).filter((x) => x % 3 === 0).name('Thirds')),
    [3, 6, 9, 12, 15, 18],
  );
  add('filter with a function class', collect(env.fromCollection([1, 2, 3, 4]).filter(new Even())), [2, 4]);
  add(
    "a stage's declared output type shapes its values the same in every mode: FLOAT rounds to 32 bits, undefined is null, a small bigint LONG a number",
    collect(
      env
        .fromCollection([1, 2, 3], Types.LONG())
        .map(
          (x) => [x / 10, x > 2 ? 'big' : undefined, 7n] as unknown as [number, string, number],
          Types.TUPLE([Types.FLOAT(), Types.STRING(), Types.LONG()]),
        ),
    ),
    [
      [Math.fround(0.1), null, 7],
      [Math.fround(0.2), null, 7],
      [Math.fround(0.3), 'big', 7],
    ],
  );
  add(
    "results larger than a socket's buffers: a batch's credit goes ahead of its output, and nothing is lost or reordered",
    // 500 results of ~605 bytes: ~300 KB in one batch, above the Unix socket's 212,992 bytes
    // and the 256 KiB from which the credit goes ahead (worker/data-plane.ts).
    collect(env.fromSequence(1, 500).map((i) => `${String(i % 10).repeat(600)}:${i}`, Types.STRING())),
    Array.from({ length: 500 }, (_, k) => `${String((k + 1) % 10).repeat(600)}:${k + 1}`),
  );
  add(
    'rebalance to a map of parallelism 2: each instance gets its round-robin share, however the input is batched',
    collect(env.fromCollection([1, 2, 3, 4, 5, 6, 7]).map(new SubtaskOf()).setParallelism(2)),
    [0, 0, 0, 0, 1, 1, 1],
    true,
  );
  add(
    'broadcast: every instance of the next operator gets every record',
    collect(env.fromCollection([1, 2, 3]).broadcast().map(new SubtaskAndValue()).setParallelism(2)),
    [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 1],
      [1, 2],
      [1, 3],
    ],
    true,
  );
  add(
    'rescale from 2 instances to 4: each feeds its own two, round-robin',
    collect(
      env
        .fromSequence(1, 8)
        .setParallelism(2)
        .rescale()
        .map(new SubtaskAndValue())
        .setParallelism(4)
        .map(([subtask, value]) => [subtask, value <= 4 ? 'first half' : 'second half']),
    ),
    [0, 0, 1, 1].map((s) => [s, 'first half']).concat([2, 2, 3, 3].map((s) => [s, 'second half'])),
    true,
  );
  add(
    'rescale from 4 instances to 2: each instance takes the records of its own two',
    collect(env.fromSequence(1, 8).setParallelism(4).rescale().map(new SubtaskAndValue()).setParallelism(2)),
    [1, 2, 3, 4].map((v) => [0, v]).concat([5, 6, 7, 8].map((v) => [1, v])),
    true,
  );
  add(
    'shuffle: every record reaches the next operator once',
    collect(env.fromSequence(1, 50).shuffle().map((x) => x * 2).setParallelism(2)),
    Array.from({ length: 50 }, (_, k) => 2 * (k + 1)),
    true,
  );
  add(
    'partitionCustom: each record reaches the instance its partitioner chose for its key (the key selector opened first)',
    collect(env.fromSequence(1, 8).partitionCustom(new ByRemainder(), new OffsetKey()).map(new SubtaskAndValue()).setParallelism(2)),
    [1, 3, 5, 7].map((v) => [0, v]).concat([2, 4, 6, 8].map((v) => [1, v])),
    true,
  );
  add(
    'forward() keeps a chain, disableChaining() and startNewChain() split it: the results stay the same',
    collect(
      env
        .fromCollection([1, 2, 3])
        .map((x) => x + 1)
        .forward()
        .map((x) => x * 10)
        .disableChaining()
        .map((x) => x - 1)
        .startNewChain()
        .filter((x) => x !== 29),
    ),
    [19, 39],
  );
  add(
    "JavaScript's own functions: map(String), filter(Boolean), keyBy(Math.abs), reduce(Math.max)",
    collect(env.fromCollection([3, 0, -4, 5, 4, -7]).filter(Boolean).keyBy(Math.abs).reduce(Math.max).map(String)),
    ['3', '-4', '5', '4', '-7'],
  );
  add('process', collect(env.fromCollection([7, 8]).process(new Tag())), [
    [7, null],
    [8, null],
  ]);
  add(
    'keyBy + reduce with a lambda (word count)',
    collect(
      env
        .fromCollection(['to be or not to be'])
        .flatMap((line: string) => line.split(' ').map((w): [string, number] => [w, 1]), Types.TUPLE([Types.STRING(), Types.LONG()]))
        .keyBy((t) => t[0])
        .reduce((a, b) => [a[0], a[1] + b[1]]),
    ),
    [
      ['to', 1],
      ['be', 1],
      ['or', 1],
      ['not', 1],
      ['to', 2],
      ['be', 2],
    ],
  );
  add(
    'keyBy + reduce with a function class',
    collect(env.fromCollection(['aa', 'b', 'cccc', 'dd', 'e']).keyBy((s) => s.length % 2).reduce(new Longest())),
    ['aa', 'b', 'cccc', 'cccc', 'b'],
  );
  add(
    'keyed map, flatMap and filter',
    collect(
      env
        .fromCollection([1, 2, 3, 4, 5, 6])
        .keyBy((x) => x % 2)
        .map((x) => x * 10)
        .keyBy((x) => x % 3)
        .flatMap((x: number) => [x, x + 1])
        .keyBy((x) => x % 2)
        .filter((x) => x % 2 === 0),
    ),
    [10, 20, 30, 40, 50, 60],
  );
  add(
    'keyed process with the current key',
    collect(env.fromCollection<[string, number]>([['k1', 1], ['k2', 2], ['k1', 3]]).keyBy((t) => t[0]).process(new KeyedTag())),
    ['k1:1', 'k2:2', 'k1:3'],
  );
  const scores = () => env.fromCollection(SCORES).keyBy((t) => t[0]);
  add('sum by field', collect(scores().sum(1)), [
    ['a', 5, 'first'],
    ['b', 2, 'second'],
    ['a', 8, 'first'],
    ['a', 17, 'first'],
    ['b', 9, 'second'],
    ['a', 20, 'first'],
  ]);
  add('min by field', collect(scores().min(1)), [
    ['a', 5, 'first'],
    ['b', 2, 'second'],
    ['a', 3, 'first'],
    ['a', 3, 'first'],
    ['b', 2, 'second'],
    ['a', 3, 'first'],
  ]);
  add('max by field', collect(scores().max(1)), [
    ['a', 5, 'first'],
    ['b', 2, 'second'],
    ['a', 5, 'first'],
    ['a', 9, 'first'],
    ['b', 7, 'second'],
    ['a', 9, 'first'],
  ]);
  add('minBy by field', collect(scores().minBy(1)), [
    ['a', 5, 'first'],
    ['b', 2, 'second'],
    ['a', 3, 'third'],
    ['a', 3, 'third'],
    ['b', 2, 'second'],
    ['a', 3, 'third'],
  ]);
  add('maxBy by field', collect(scores().maxBy(1)), [
    ['a', 5, 'first'],
    ['b', 2, 'second'],
    ['a', 5, 'first'],
    ['a', 9, 'fourth'],
    ['b', 7, 'fifth'],
    ['a', 9, 'fourth'],
  ]);
  add(
    'sum by field name on objects',
    collect(
      env
        .fromCollection([
          { user: 'u', n: 1 },
          { user: 'u', n: 4 },
        ])
        .keyBy((o) => o.user)
        .sum('n'),
    ),
    [
      { user: 'u', n: 1 },
      { user: 'u', n: 5 },
    ],
  );
  const big = 2 ** 52;
  add(
    'sum of a LONG field past 2^53: exact, as a bigint',
    collect(
      env
        .fromCollection<[string, number]>([['k', big], ['k', big], ['k', big], ['k', 1]], Types.TUPLE([Types.STRING(), Types.LONG()]))
        .keyBy((t) => t[0])
        .sum(1),
    ),
    [
      ['k', big],
      ['k', 2n ** 53n],
      ['k', 3n * 2n ** 52n],
      ['k', 3n * 2n ** 52n + 1n],
    ],
  );
  add(
    'sum of a DOUBLE field past 2^53: a number',
    collect(
      env
        .fromCollection<[string, number]>([['k', big], ['k', big], ['k', 1]], Types.TUPLE([Types.STRING(), Types.DOUBLE()]))
        .keyBy((t) => t[0])
        .sum(1),
    ),
    [
      ['k', big],
      ['k', 2 ** 53],
      ['k', 2 ** 53],
    ],
  );
  add(
    'union',
    collect(env.fromCollection([1, 2], Types.LONG()).union(env.fromCollection([3], Types.LONG()), env.fromSequence(10, 11)).map((x) => x + 1)),
    [2, 3, 4, 11, 12],
    true,
  );
  const textFile = join(dir, 'lines.txt');
  writeFileSync(textFile, 'first line\nsecond, ünïcödé 日本\r\n\nlast without newline');
  add('readTextFile', collect(env.readTextFile(textFile).map((l) => l.length)), [10, 18, 0, 20]);
  // A directory (a nested one read in name order, hidden entries skipped) and a single file.
  const files = join(dir, 'file-source');
  mkdirSync(join(files, 'b-nested', 'deeper'), { recursive: true });
  mkdirSync(join(files, '_in-progress'), { recursive: true });
  mkdirSync(join(files, '.staging'), { recursive: true });
  writeFileSync(join(files, 'a.txt'), 'a1\na2\n');
  writeFileSync(join(files, 'b-nested', 'deeper', 'x.txt'), 'x1');
  writeFileSync(join(files, 'b-nested', 'b.txt'), 'b1\r\n\nb3\n');
  writeFileSync(join(files, 'c.txt'), '\ufeffc1 ünï\n');
  writeFileSync(join(files, '.hidden.txt'), 'hidden\n');
  writeFileSync(join(files, '_SUCCESS'), 'hidden\n');
  writeFileSync(join(files, '_in-progress', 'part-0'), 'hidden\n');
  writeFileSync(join(files, '.staging', 'part-0'), 'hidden\n');
  const single = join(dir, 'file-source-single.txt');
  writeFileSync(single, 'single\n');
  add(
    'fromSource: a FileSource over a directory (nested, hidden entries skipped) and a file, in name order',
    collect(
      env
        .fromSource(FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), files, single).build(), WatermarkStrategy.noWatermarks(), 'Files')
        .map((line) => `<${line}>`),
    ),
    ['<a1>', '<a2>', '<b1>', '<>', '<b3>', '<x1>', '<c1 ünï>', '<single>'],
  );
  add(
    'fromSource: a NumberSequenceSource with event-time timestamps into keyed tumbling windows',
    collect(
      env
        .fromSource(
          new NumberSequenceSource(1, 30),
          WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x * 10),
          'Numbers',
        )
        .map((x): [string, number] => [x % 2 === 0 ? 'even' : 'odd', x])
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(Time.milliseconds(100)))
        .reduce((a, b) => [a[0], a[1] + b[1]] as [string, number], new WithWindow()),
    ),
    // Timestamps 10..300: windows [0, 100) hold 1..9, [100, 200) 10..19, [200, 300) 20..29, [300, 400) 30.
    [
      ['odd', 0, 100, ['odd', 25]],
      ['even', 0, 100, ['even', 20]],
      ['even', 100, 200, ['even', 70]],
      ['odd', 100, 200, ['odd', 75]],
      ['even', 200, 300, ['even', 120]],
      ['odd', 200, 300, ['odd', 125]],
      ['even', 300, 400, ['even', 30]],
    ],
    true,
  );
  add('addSource with a generator', collect(env.addSource(new Countdown(3), 'Countdown').map((x) => x * x)), [9, 4, 1]);
  add(
    'functions exported from a module, and imported names in a lambda',
    collect(env.fromCollection(['Hello World', 'bye']).flatMap(new Tokenizer()).map((w: string) => shout(w))),
    ['HELLO!', 'WORLD!', 'BYE!'],
  );
  add(
    'parallelism 2 with a rebalance and a keyed shuffle',
    collect(
      env
        .fromSequence(1, 40)
        .setParallelism(2)
        .map((x) => x % 4)
        .setParallelism(2)
        .keyBy((x) => x)
        .reduce((a, b) => a + b)
        .setParallelism(2)
        .filter((x) => x >= 18),
    ),
    expectedParallel(),
    true,
  );
  add(
    'generic values round-trip exactly',
    collect(env.fromCollection(GENERIC_VALUES).map((v) => v)),
    GENERIC_VALUES,
  );
  add(
    'typed values round-trip',
    collect(
      env
        .fromCollection(TYPED_ROWS, TYPED_ROW)
        .map((r) => r, TYPED_ROW),
    ),
    TYPED_ROWS,
  );
  return p;
}

/** Running sums per key (x % 4) over 1..40 mapped to x % 4, filtered to those ≥ 18. */
function expectedParallel(): number[] {
  const sums = new Map<number, number>();
  const out: number[] = [];
  for (let x = 1; x <= 40; x++) {
    const k = x % 4;
    const s = (sums.get(k) ?? 0) + k;
    sums.set(k, s);
    if (s >= 18) out.push(s);
  }
  return out;
}

const GENERIC_VALUES: unknown[] = [
  0,
  -0,
  1.5,
  Number.NaN,
  Infinity,
  'text ünïcödé 😀',
  true,
  null,
  undefined,
  [1, [2, 'x'], { y: null }],
  { nested: { a: [1, 2], b: 'c' }, n: -1 },
  123456789012345678901234567890n,
  -(2n ** 63n - 1n),
  new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
  new Uint8Array([0, 1, 254, 255]),
  new Map<unknown, unknown>([
    ['k', 1],
    [2, [3]],
  ]),
  new Set(['a', 1]),
];

const TYPED_ROW = Types.ROW_NAMED(
  ['id', 'name', 'score', 'tags', 'born', 'big', 'attrs', 'raw'],
  [
    Types.INT(),
    Types.STRING(),
    Types.DOUBLE(),
    Types.LIST(Types.STRING()),
    Types.SQL_TIMESTAMP(),
    Types.LONG(),
    Types.MAP(Types.STRING(), Types.LONG()),
    Types.BYTES(),
  ],
);

const TYPED_ROWS: Record<string, unknown>[] = [
  {
    id: 1,
    name: 'añb',
    score: 2.5,
    tags: ['x', 'y'],
    born: new Date(Date.UTC(2000, 0, 1)),
    big: 2n ** 63n - 1n,
    attrs: new Map([['k', 7]]),
    raw: new Uint8Array([9, 8]),
  },
  { id: 2, name: null, score: -0.5, tags: [], born: null, big: -42, attrs: new Map(), raw: null },
];
