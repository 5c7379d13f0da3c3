/**
 * The max parallelism (the number of key groups) of an operator the job gives none: derived
 * from its parallelism as Flink derives it (KeyGroupRangeAssignment.computeDefaultMaxParallelism),
 * so that a parallelism above 128 runs; a configured one applies to every operator as before.
 * A resumed job keeps the max parallelism its keyed state was written with.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointError, JobDefinitionError, StreamExecutionEnvironment, Types } from '../host/index.ts';
import type { CompletedCheckpoint } from '../host/checkpoint/completed-checkpoint.ts';
import { adoptRestoredMaxParallelism } from '../host/checkpoint/restored-max-parallelism.ts';
import { planJob, type JobPlan, type Stage } from '../host/graph/plan.ts';
import { checkpointKey } from '../host/runtime/attempt.ts';
import { RecordWriter } from '../host/runtime/record-writer.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { defaultMaxParallelism, keyGroupOf, subtaskForKeyGroup } from '../host/state/key-groups.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';

function environment(settings: Record<string, unknown> = {}): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', ...settings });
}

function planOf(env: StreamExecutionEnvironment): JobPlan {
  return planJob(env['transformations'], env.getConfig());
}

/** Each stage as "name xP/M": its parallelism and max parallelism. */
function sizes(plan: JobPlan): string[] {
  return plan.stages.map((s: Stage) => `${s.name} x${s.parallelism}/${s.maxParallelism}`);
}

describe("Flink's default max parallelism", () => {
  it.each([
    [1, 128],
    [2, 128],
    [85, 128],
    [86, 256],
    [170, 256],
    [171, 256],
    [172, 512],
    [200, 512],
    [21_845, 32_768],
    [21_846, 32_768],
    [32_768, 32_768],
  ])('parallelism %i: %i', (parallelism, expected) => {
    expect(defaultMaxParallelism(parallelism)).toBe(expected);
  });
});

describe('an operator without a configured max parallelism', () => {
  it('derives its own from its parallelism: a map at parallelism 200 plans', () => {
    const env = environment();
    env.fromSequence(1, 10).map((x) => x).name('wide').setParallelism(200).print();
    expect(sizes(planOf(env))).toEqual(['Source: Sequence Source x1/128', 'wide x200/512', 'Sink: Print to Std. Out x1/128']);
    expect(() => env.getExecutionPlan()).not.toThrow();
    expect(env.getMaxParallelism()).toBe(-1);
  });

  it('and so does every operator under env.setParallelism(200)', () => {
    const env = environment();
    env.setParallelism(200);
    env.fromCollection([1], Types.INT()).keyBy((x) => x).sum(0).name('sum').print();
    expect(sizes(planOf(env))).toEqual(['Source: Collection Source x1/128', 'Key By x1/128', 'sum x200/512', 'Sink: Print to Std. Out x200/512']);
    expect(() => env.getExecutionPlan()).not.toThrow();
  });

  it('is refused above 32768, the most key groups there can be', () => {
    const env = environment();
    env.fromSequence(1, 10).map((x) => x).name('too wide').setParallelism(32_769).print();
    expect(() => planOf(env)).toThrow(new JobDefinitionError("operator 'too wide' has parallelism 32769, above 32768, the most key groups an operator can have"));
  });
});

describe('a configured max parallelism', () => {
  it('is every operator\'s, and what getMaxParallelism() returns', () => {
    const env = environment();
    env.setMaxParallelism(64);
    env.fromSequence(1, 10).map((x) => x).name('m').setParallelism(64).print();
    expect(sizes(planOf(env))).toEqual(['Source: Sequence Source x1/64', 'm x64/64', 'Sink: Print to Std. Out x1/64']);
    expect(env.getMaxParallelism()).toBe(64);
  });

  it('bounds the parallelism', () => {
    const env = environment({ 'pipeline.max-parallelism': 64 });
    env.fromSequence(1, 10).map((x) => x).name('m').setParallelism(65).print();
    expect(() => planOf(env)).toThrow(new JobDefinitionError("operator 'm' has parallelism 65, above pipeline.max-parallelism (64)"));
  });
});

describe('a keyed edge', () => {
  it("spreads keys by each consumer's own key groups", () => {
    const small = [new StreamChannel(1000), new StreamChannel(1000)];
    const wide = [new StreamChannel(1000), new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter(
      [
        { partitioning: 'hash', channels: small, maxParallelism: 128 },
        { partitioning: 'hash', channels: wide, maxParallelism: 4 },
      ],
      0,
    );
    const values = Array.from({ length: 40 }, (_, i) => i);
    const keys = values.map((v) => encodeKey(`k${v}`));
    expect(writer.emit({ length: values.length, values, keys, timestamps: null })).toBeUndefined();
    const received = (channels: StreamChannel[]) =>
      channels.map((c) => {
        const got: unknown[] = [];
        for (let e = c.poll(); e !== null; e = c.poll()) if (e.kind === 'records') got.push(...e.batch.values);
        return got;
      });
    const expected = (parallelism: number, maxParallelism: number) =>
      Array.from({ length: parallelism }, (_, s) => values.filter((v) => subtaskForKeyGroup(keyGroupOf(keys[v]!, maxParallelism), maxParallelism, parallelism) === s));
    expect(received(small)).toEqual(expected(2, 128));
    expect(received(wide)).toEqual(expected(3, 4));
    // The two spreads differ: one max parallelism for both would have sent some key elsewhere.
    expect(expected(3, 4)).not.toEqual(expected(3, 128));
  });
});

describe('a resumed job', () => {
  /** A job with one keyed operator, 'count' at `parallelism`. */
  function keyedPlan(parallelism: number, settings: Record<string, unknown> = {}): JobPlan {
    const env = environment(settings);
    env.fromCollection([1], Types.INT()).keyBy((x) => x).sum(0).uid('count').name('count').setParallelism(parallelism).print();
    return planOf(env);
  }

  function checkpointWith(maxParallelism: number): CompletedCheckpoint {
    const snapshot = new KeyedStateBackend({ maxParallelism }).snapshot();
    return { id: 7, timestamp: 0, sources: {}, states: { 'udf:count': [snapshot, snapshot] }, sinks: {} };
  }

  function countStage(plan: JobPlan): Stage {
    return plan.stages.find((s) => s.name === 'count')!;
  }

  it('keeps the max parallelism its keyed state was written with, when it configures none', () => {
    const plan = keyedPlan(3);
    expect(countStage(plan).maxParallelism).toBe(128);
    expect(adoptRestoredMaxParallelism(plan, checkpointWith(64), checkpointKey)).toEqual([
      "'count' keeps max parallelism 64, which its keyed state in checkpoint 7 was written with (derived from its parallelism 3 it would be 128)",
    ]);
    expect(countStage(plan).maxParallelism).toBe(64);
    // Other operators keep theirs.
    expect(plan.stages.filter((s) => s.name !== 'count').map((s) => s.maxParallelism)).toEqual([128, 128, 128]);
  });

  it('changes nothing when the state was written with its own', () => {
    const plan = keyedPlan(3);
    expect(adoptRestoredMaxParallelism(plan, checkpointWith(128), checkpointKey)).toEqual([]);
    expect(countStage(plan).maxParallelism).toBe(128);
  });

  it('refuses a configured max parallelism that differs, as Flink does', () => {
    const plan = keyedPlan(3, { 'pipeline.max-parallelism': 32 });
    expect(() => adoptRestoredMaxParallelism(plan, checkpointWith(64), checkpointKey)).toThrow(
      new CheckpointError(
        "checkpoint 7: the keyed state of 'count' ('udf:count') was written with max parallelism 64, and pipeline.max-parallelism is now 32: " +
          'keys cannot move to another number of key groups (Flink refuses this too); resume with pipeline.max-parallelism=64',
      ),
    );
  });

  it('refuses a parallelism above the max parallelism the state was written with', () => {
    const plan = keyedPlan(100);
    expect(() => adoptRestoredMaxParallelism(plan, checkpointWith(64), checkpointKey)).toThrow(
      new CheckpointError(
        "checkpoint 7: the keyed state of 'count' ('udf:count') was written with max parallelism 64, the most subtasks it can be spread over, " +
          "and the operator's parallelism is now 100: resume at a parallelism of at most 64",
      ),
    );
  });
});
