import type { Configuration } from '../../../shared/config/configuration.ts';
import type { SourceStage } from '../../graph/plan.ts';
import { CollectionReader } from './collection-reader.ts';
import { freshSourceFunction } from './fresh-source-function.ts';
import { hostFunctionFailure } from '../host-function-failure.ts';
import { FunctionReader } from './function-reader.ts';
import { SequenceReader } from './sequence-reader.ts';
import { rangesToRead } from './sequence-ranges.ts';
import { FinishedReader, type SourceReader } from './source-reader.ts';
import type { SourcePosition } from '../../checkpoint/completed-checkpoint.ts';
import { TextFileReader } from './text-file-reader.ts';

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
): SourceReader {
  if (restored?.done === true) return new FinishedReader();
  const position = restored?.position;
  const spec = stage.transformation.source;
  const chunk = chunkSize(config);
  switch (spec.kind) {
    case 'collection':
      return new CollectionReader(spec.values, chunk, position);
    case 'sequence':
      return new SequenceReader(rangesToRead(spec.start, spec.end, subtask, stage.parallelism, position), chunk);
    case 'text-file':
      return new TextFileReader(spec.path, chunk, position);
    case 'function': {
      // A fresh copy per attempt and subtask; restoreState() rewinds it only from a checkpoint.
      const fn = freshSourceFunction(spec.fn, stage.name);
      const failure = (method: string, thrown: unknown): unknown => hostFunctionFailure(stage.transformation, fn, method, thrown);
      return new FunctionReader(fn, chunk, restored === undefined ? null : { position }, failure);
    }
  }
}
