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
      return new FileWriter(spec.sink, subtask, stage.parallelism, states, (thrown, record) =>
        namedHostFunctionFailure(stage.transformation, encoderName(spec.sink.options.encoder), thrown, record),
      );
    }
    case 'function':
      return new FunctionWriter(spec.fn, transactional, (method, thrown, record) =>
        hostFunctionFailure(stage.transformation, spec.fn, method, thrown, record),
      );
  }
}

/** How errors name a file sink's encoder: `encoder`, and the function's own name when it has another. */
function encoderName(encoder: unknown): string {
  if (encoder === undefined) return 'encoder';
  const name = describeFunction(encoder);
  return name === 'encoder' ? 'encoder' : `encoder ${name}`;
}
