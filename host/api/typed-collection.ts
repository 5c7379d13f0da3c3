/**
 * fromCollection's values given a type, checked and shaped by it when the source is defined, as
 * PyFlink's from_collection turns the collection into values of its type_info at the call: an
 * element that does not fit fails there, naming it and the type, and the values the job reads
 * are the ones a stage boundary would deliver (a FLOAT rounded to 32 bits, an object copied),
 * wherever they go (a worker, or a sink the host writes at once).
 */
import { describeType, type TypeDescriptor } from '../../shared/api/types.ts';
import { BatchNormalizer } from '../../shared/codec/batch-normalizer.ts';
import { ValueEncodeError } from '../../shared/codec/value-encode-error.ts';
import { InputTypeError } from '../../shared/errors/errors.ts';

/** Elements per normalized batch: a refusal's round trip through the codec never holds more. */
const SLICE = 8192;

/** `values` as the type `d` delivers them; throws an InputTypeError at the first that does not fit. */
export function typedCollection(values: unknown[], d: TypeDescriptor): unknown[] {
  const normalizer = new BatchNormalizer({ value: d, keyed: false, timestamped: false });
  const out: unknown[] = [];
  for (let from = 0; from < values.length; from += SLICE) {
    const slice = values.slice(from, from + SLICE);
    let shaped: unknown[];
    try {
      shaped = normalizer.normalize({ length: slice.length, values: slice, keys: null, timestamps: null }).values;
    } catch (error) {
      if (!(error instanceof ValueEncodeError)) throw error;
      throw new InputTypeError(
        `fromCollection: element ${from + error.rowIndex} does not fit the type given, ${describeType(d)}: ` +
          `${error.path}: expected ${error.expected}, got ${error.found}`,
      );
    }
    if (values.length <= SLICE) return shaped;
    for (const v of shaped) out.push(v);
  }
  return out;
}
