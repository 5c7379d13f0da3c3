import type { SinkStage } from '../../graph/plan.ts';
import { describeFunction } from '../../shipping/ship-function.ts';
import { CollectWriter } from './collect-writer.ts';
import { FileWriter, type FileSinkState } from './file-writer.ts';
import { hostFunctionFailure, namedHostFunctionFailure } from '../host-function-failure.ts';
import { FunctionWriter } from './function-writer.ts';
import { PrintWriter } from './print-writer.ts';
import type { SinkWriter } from './sink-writer.ts';

export function createSinkWriter(
  stage: SinkStage,
  subtask: number,
  transactional: boolean,
  onLimit: () => void,
  /**
   * The states this sink subtask takes over from the checkpoint this attempt restores: an array
   * (see sinkStatesTakenOver and AttemptOptions.sinkWriter), null without one.
   */
  restored: unknown,
): SinkWriter {
  const spec = stage.transformation.sink;
  switch (spec.kind) {
    case 'print':
      return new PrintWriter(spec.prefix, subtask, stage.parallelism, transactional, (text) => process.stdout.write(text));
    case 'collect':
      return new CollectWriter(spec.results, spec.limit, transactional, onLimit);
    case 'file': {
      const states = (Array.isArray(restored) ? restored : null) as FileSinkState[] | null;
      const earlier = earlierWritersOf(stage, subtask);
      const assigner = spec.sink.bucketAssigner;
      const writer = new FileWriter(spec.sink, subtask, states, {
        encoderFailure: (thrown, record) => namedHostFunctionFailure(stage.transformation, encoderName(spec.sink.options.encoder), thrown, record),
        assignerFailure: (thrown, record) => namedHostFunctionFailure(stage.transformation, assignerName(assigner), thrown, record),
        earlierWriters: [...earlier],
      });
      earlier.push(writer.id);
      return writer;
    }
    case 'function':
      return new FunctionWriter(spec.fn, transactional, (method, thrown, record) =>
        hostFunctionFailure(stage.transformation, spec.fn, method, thrown, record),
      );
  }
}

/**
 * Per file sink stage of a run (its plan's stage, the same object in every attempt), per
 * subtask: the ids of the writers of the attempts so far. Their in-progress files that the
 * checkpoint an attempt restores does not hold (sealed for a checkpoint that never completed)
 * are this job's own, for the next attempt to delete; a checkpoint restored names only the
 * writer that took it.
 */
const writersOfAttempts = new WeakMap<SinkStage, Map<number, string[]>>();

function earlierWritersOf(stage: SinkStage, subtask: number): string[] {
  let bySubtask = writersOfAttempts.get(stage);
  if (bySubtask === undefined) writersOfAttempts.set(stage, (bySubtask = new Map()));
  let ids = bySubtask.get(subtask);
  if (ids === undefined) bySubtask.set(subtask, (ids = []));
  return ids;
}

/** How errors name a bucket assigner's getBucketId: with its class's name, unless it is a plain object. */
function assignerName(assigner: object): string {
  const name = describeFunction(assigner);
  return name === '<object>' ? 'bucket assigner getBucketId()' : `bucket assigner ${name}.getBucketId()`;
}

/** How errors name a file sink's encoder: `encoder`, and the function's own name when it has another. */
function encoderName(encoder: unknown): string {
  if (encoder === undefined) return 'encoder';
  const name = describeFunction(encoder);
  return name === 'encoder' ? 'encoder' : `encoder ${name}`;
}
