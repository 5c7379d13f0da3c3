/**
 * Broadcast state (DataStream.broadcast(descriptors), connect, BroadcastProcessFunction and
 * KeyedBroadcastProcessFunction), end to end, in every mode and under several bundle settings:
 * every subtask gets every broadcast element and keeps its own copy of the state, in the order
 * its keys were put; the element side reads it, and on keyed input has its key's state and
 * timers; what the function must not do is refused with a clear error.
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTERS, Types, UserFunctionError, WatermarkStrategy } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';
import {
  FailsOnThirteen,
  KeyedStateOnBroadcastSide,
  ReadsUndeclared,
  RULES,
  RULES_SEEN,
  TABLE,
  TableKeeper,
  ThresholdAlerts,
  WritesOnElementSide,
  type Change,
  type Reading,
  type Rule,
} from './broadcast-functions.ts';

const RULE_LIST: Rule[] = [
  { sensor: 'a', limit: 10, ts: 0 },
  { sensor: 'b', limit: 5, ts: 0 },
  { sensor: 'a', limit: 20, ts: 50 },
  { sensor: 'b', limit: null, ts: 60 },
  { sensor: 'c', limit: 0, ts: 100 },
];
const READINGS: Reading[] = [
  { sensor: 'a', value: 5, ts: 5 },
  { sensor: 'a', value: 15, ts: 10 },
  { sensor: 'b', value: 7, ts: 20 },
  { sensor: 'c', value: 1, ts: 30 },
  { sensor: 'a', value: 15, ts: 55 },
  { sensor: 'a', value: 25, ts: 70 },
  { sensor: 'b', value: 100, ts: 80 },
  { sensor: 'c', value: 1, ts: 120 },
];
/** Each reading against the rule in force at its timestamp. */
const ALERTS = ['a@10: 15 > 10', 'a@55: ok', 'a@5: ok', 'a@70: 25 > 20', 'b@20: 7 > 5', 'b@80: ok', 'c@120: 1 > 0', 'c@30: ok'];

const CHANGES: Change[] = [
  { op: 'put', key: 'a', value: 1 },
  { op: 'put', key: 'b', value: 2 },
  { op: 'put', key: 'a', value: 3 },
  { op: 'remove', key: 'a' },
  { op: 'put', key: 'a', value: 4 },
  { op: 'putAll', entries: [['c', 5], ['b', 6]] },
  { op: 'clear' },
  { op: 'put', key: 'z', value: 9 },
];
/** The state after each change, as TableKeeper reports it: entries, get('b'), size, values. */
const TABLES = [
  'a=1|no b|1|1',
  'a=1,b=2|2|2|1+2',
  'a=3,b=2|2|2|3+2',
  'b=2|2|1|2',
  'b=2,a=4|2|2|2+4',
  'b=6,a=4,c=5|6|3|6+4+5',
  '|no b|0|',
  'z=9|no b|1|9',
];

describe.each(MODES)('%s mode', (mode) => {
  it.each(Object.entries(BUNDLE_SETTINGS))(
    'keyed: readings checked in event time against the rules every subtask was broadcast (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 2 });
      const rules = env
        .fromCollection(RULE_LIST)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rule>().withTimestampAssigner((r) => r.ts))
        .broadcast(RULES);
      const alerts = env
        .fromCollection(READINGS)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.ts))
        .keyBy((r) => r.sensor)
        .connect(rules)
        .process(new ThresholdAlerts(), Types.STRING())
        .name('Alerts');
      const out = collect(alerts);
      const seen = collect(alerts.getSideOutput(RULES_SEEN));
      const result = await env.execute('thresholds');
      expect([...out].sort()).toEqual(ALERTS);
      // Each of the two subtasks got every rule.
      expect([...seen].sort()).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c']);
      expect(result.operator('Alerts').recordsIn).toBe(READINGS.length + 2 * RULE_LIST.length);
    },
  );

  it.each(Object.entries(BUNDLE_SETTINGS))(
    'not keyed: each subtask keeps its own copy, in the order keys were first put (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 2 });
      const changes = env.fromCollection(CHANGES).broadcast(TABLE);
      const out = collect(env.fromCollection([1, 2, 3, 4], Types.LONG()).connect(changes).process(new TableKeeper(), Types.STRING()));
      await env.execute('tables');
      expect(out.filter((s) => s.startsWith('0|'))).toEqual(TABLES.map((t) => `0|${t}`));
      expect(out.filter((s) => s.startsWith('1|'))).toEqual(TABLES.map((t) => `1|${t}`));
      expect(out.filter((s) => s.startsWith('n')).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect(out).toHaveLength(2 * TABLES.length + 4);
    },
  );

  it('the element side may not write the broadcast state', async () => {
    const env = environment(mode);
    const bs = env.fromCollection([1], Types.LONG()).broadcast(TABLE);
    collect(env.fromCollection([7], Types.LONG()).connect(bs).process(new WritesOnElementSide()).name('Writer'));
    const error = await failureOf<UserFunctionError>(env.execute('writes'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Writer');
    expect(error!.functionName).toBe('WritesOnElementSide');
    expect(error!.record).toBe('7');
    expect(error!.causeMessage).toBe(READ_ONLY_MESSAGE);
  });

  it('a state the stream was not broadcast with is refused, naming it and those it was', async () => {
    const env = environment(mode);
    const bs = env.fromCollection([1], Types.LONG()).broadcast(TABLE);
    collect(env.fromCollection([7], Types.LONG()).connect(bs).process(new ReadsUndeclared()));
    const error = await failureOf<UserFunctionError>(env.execute('undeclared'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.record).toBe('1');
    expect(error!.causeMessage).toBe(UNDECLARED_MESSAGE);
  });

  it('keyed state on the broadcast side, which has no key, is refused', async () => {
    const env = environment(mode);
    const bs = env.fromCollection([1], Types.LONG()).broadcast(TABLE);
    const keyed = env.fromCollection([7], Types.LONG()).keyBy((n) => String(n));
    collect(keyed.connect(bs).process(new KeyedStateOnBroadcastSide()));
    const error = await failureOf<UserFunctionError>(env.execute('no key'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.record).toBe('1');
    expect(error!.causeMessage).toBe(NO_KEY_MESSAGE);
  });

  it('a broadcast element that throws fails the job naming the function, the record and the method', async () => {
    const env = environment(mode);
    const bs = env.fromCollection([12, 13], Types.LONG()).broadcast(TABLE);
    collect(env.fromCollection([1], Types.LONG()).connect(bs).process(new FailsOnThirteen()).name('Thirteen'));
    const error = await failureOf<UserFunctionError>(env.execute('throws'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Thirteen');
    expect(error!.functionName).toBe('FailsOnThirteen');
    expect(error!.record).toBe('13');
    expect(error!.causeName).toBe('RangeError');
    expect(error!.causeMessage).toBe('unlucky 13');
    expect(error!.workerStack).toContain('processBroadcastElement');
  });

  it('under the skip policy a failed broadcast element goes to the dead letters of every subtask it reached', async () => {
    const env = environment(mode, { 'parallelism.default': 2 });
    const bs = env.fromCollection([12, 13, 14], Types.LONG()).broadcast(TABLE);
    const processed = env.fromCollection([1, 2], Types.LONG()).connect(bs).process(new FailsOnThirteen(), Types.LONG()).setFailurePolicy('skip');
    const out = collect(processed);
    const dead = collect(processed.getSideOutput(DEAD_LETTERS));
    await env.execute('skips');
    expect([...out].sort((a, b) => a - b)).toEqual([-14, -14, -12, -12, 1, 2]);
    expect(dead.map((d) => [d.record, d.function, d.error.name, d.error.message])).toEqual([
      [13, 'FailsOnThirteen', 'RangeError', 'unlucky 13'],
      [13, 'FailsOnThirteen', 'RangeError', 'unlucky 13'],
    ]);
  });
});

// The worker's wording, checked exactly above.
const READ_ONLY_MESSAGE =
  "put() on broadcast state 'table' refused: it is read-only in processElement and onTimer; only processBroadcastElement may change it";
const UNDECLARED_MESSAGE =
  "no broadcast state 'other': the stream was broadcast with 'table' (give broadcast(...) every MapStateDescriptor the function uses)";
const NO_KEY_MESSAGE = 'processBroadcastElement has no current key: keyed state and timers are only available in processElement and onTimer';
