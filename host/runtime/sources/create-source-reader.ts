import { describeType } from '../../../shared/api/types.ts';
import { BatchNormalizer } from '../../../shared/codec/batch-normalizer.ts';
import type { ValueEncodeError } from '../../../shared/codec/value-encode-error.ts';
import type { Configuration } from '../../../shared/config/configuration.ts';
import { InputTypeError, OutputTypeError } from '../../../shared/errors/errors.ts';
import type { SourceStage } from '../../graph/plan.ts';
import { CollectionReader } from './collection-reader.ts';
import { freshSourceFunction } from './fresh-source-function.ts';
import { hostFunctionFailure } from '../host-function-failure.ts';
import { FileSourceReader } from './file-source-reader.ts';
import { FunctionReader, type SourceLifecycle } from './function-reader.ts';
import { SequenceReader } from './sequence-reader.ts';
import { rangesToRead } from './sequence-ranges.ts';
import { FinishedReader, type SourceReader } from './source-reader.ts';
import type { SourcePosition } from '../../checkpoint/completed-checkpoint.ts';
import { TextSourceReader } from './text-source-reader.ts';
import { TypedSourceReader } from './typed-source-reader.ts';

/** Rows per chunk a source hands on: a whole Arrow batch, so full batches go out uncopied. */
function chunkSize(config: Configuration): number {
  return Math.min(config.effectiveArrowBatchSize(), 10_000);
}

/** The reader for one subtask of a source, started where a checkpoint left it, if given. */
export function createSourceReader(
  stage: SourceStage,
  subtask: number,
  config: Configuration,
  restored: SourcePosition | undefined,
  /** A SourceFunction's runtime context, and where the attempt learns of its close(). */
  lifecycle: SourceLifecycle,
): SourceReader {
  if (restored?.done === true) return new FinishedReader();
  const position = restored?.position;
  const spec = stage.transformation.source;
  const chunk = chunkSize(config);
  switch (spec.kind) {
    case 'collection':
      return typed(stage, new CollectionReader(spec.values, chunk, position), null);
    case 'sequence':
      return typed(stage, new SequenceReader(rangesToRead(spec.start, spec.end, subtask, stage.parallelism, position), chunk), null);
    case 'text-file':
      return typed(stage, new TextSourceReader(spec.path, chunk, position, stage.name), null);
    case 'file':
      return typed(stage, new FileSourceReader(spec.paths, spec.monitorIntervalMs, chunk, position, stage.name), null);
    case 'function': {
      // A fresh copy per attempt and subtask; restoreState() rewinds it only from a checkpoint.
      const fn = freshSourceFunction(spec.fn, stage.name);
      const failure = (method: string, thrown: unknown): unknown => hostFunctionFailure(stage.transformation, fn, method, thrown);
      const reader = new FunctionReader(fn, chunk, restored === undefined ? null : { position }, failure, lifecycle);
      // What run() emits that its type cannot carry is the function's failure, as a worker's
      // function's is where its output leaves its stage.
      return typed(stage, reader, (error) => failure('run', new OutputTypeError(`${error.path}: expected ${error.expected}, got ${error.found}`)));
    }
  }
}

/**
 * `reader`, its chunks checked and shaped by the source's declared type (typed-source-reader.ts)
 * where no worker stage would do it first: where the source feeds a sink directly, and for a
 * SourceFunction always (`refusal` given), whose values nothing has checked yet, so that its
 * failure is its own wherever the values go. The built-in sources' values already fit (a
 * fromCollection's were checked when it was defined): they are shaped for the sinks only.
 */
function typed(stage: SourceStage, reader: SourceReader, refusal: ((error: ValueEncodeError) => unknown) | null): SourceReader {
  const type = stage.transformation.outputType?.descriptor;
  if (type === undefined || type.kind === 'GENERIC') return reader;
  const feedsSink = [...stage.outputs.values()].some((edges) => edges.some((edge) => edge.to.kind === 'sink'));
  if (refusal === null && !feedsSink) return reader;
  const normalizer = new BatchNormalizer({ value: type, keyed: false, timestamped: stage.transformation.source.timestamped });
  const refuse =
    refusal ??
    ((error: ValueEncodeError): unknown =>
      new InputTypeError(`${stage.name} read a record that its type, ${describeType(type)}, cannot carry: ${error.message}`));
  return new TypedSourceReader(reader, normalizer, refuse);
}
