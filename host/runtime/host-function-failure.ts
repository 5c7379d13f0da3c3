/**
 * Failures of the user functions that run in the host (a SourceFunction, a SinkFunction, a file
 * sink's encoder), made UserFunctionErrors that name the operator, the function and the record as
 * a worker's do: they read alike, and follow the failure policy the same way (restartable.ts).
 */
import { UserFunctionError } from '../../shared/errors/errors.ts';
import { renderRecord } from '../../shared/errors/render-record.ts';
import { fromWireError, toWireError } from '../../shared/errors/wire.ts';
import { transformId } from '../graph/plan.ts';
import type { SinkTransformation, SourceTransformation } from '../graph/transformation.ts';

/** What failed: `fn`'s `method`, in the operator of `t`; `record`, when the call was about one. */
export function hostFunctionFailure(
  t: SourceTransformation | SinkTransformation,
  fn: object,
  method: string,
  thrown: unknown,
  record?: { value: unknown },
): UserFunctionError {
  const className = (fn.constructor as { name?: string } | undefined)?.name;
  return namedHostFunctionFailure(t, `${className || 'anonymous'}.${method}()`, thrown, record);
}

/** As hostFunctionFailure, for a function named `functionName` (a plain function the host calls). */
export function namedHostFunctionFailure(
  t: SourceTransformation | SinkTransformation,
  functionName: string,
  thrown: unknown,
  record?: { value: unknown },
): UserFunctionError {
  if (thrown instanceof UserFunctionError) return thrown;
  const wire = toWireError(thrown, {
    operator: t.name,
    transform: transformId(t),
    functionName,
    record: record === undefined ? '' : renderRecord(record.value),
  });
  return fromWireError(wire) as UserFunctionError;
}
