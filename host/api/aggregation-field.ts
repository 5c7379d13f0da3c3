/**
 * The field sum/min/max/minBy/maxBy aggregate, checked when the job is defined, as Flink's field
 * accessors check it when sum() is called: on a stream of declared type the field must exist
 * and hold a type the aggregation can add (sum) or compare (the others). A ROW_NAMED field is
 * given by name or by position (PyFlink takes either for Row data); it travels to the worker
 * as its name, since a ROW_NAMED value is a plain object there. Fields the type leaves open (a
 * GENERIC field, a stream with no declared type) are checked record by record in the worker.
 */
import { describeType, type TypeDescriptor, type TypeInformation } from '../../shared/api/types.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';

export type AggregationName = 'sum' | 'min' | 'max' | 'min_by' | 'max_by';

export interface AggregationField {
  /** What the worker reads: an index, or a property name. */
  field: number | string;
  /** The field is declared LONG: its sum stays exact past 2^53 (a bigint). */
  int64: boolean;
}

/** What Flink's SumFunction adds. */
const SUMMABLE = new Set(['BYTE', 'SHORT', 'INT', 'LONG', 'FLOAT', 'DOUBLE']);
/** What Flink's aggregation comparator compares (Comparable values), as JavaScript carries them. */
const COMPARABLE = new Set([...SUMMABLE, 'STRING', 'BOOLEAN', 'SQL_DATE', 'SQL_TIME', 'SQL_TIMESTAMP']);

const API_NAMES: Record<AggregationName, string> = { sum: 'sum', min: 'min', max: 'max', min_by: 'minBy', max_by: 'maxBy' };

export function resolveAggregationField(
  aggregation: AggregationName,
  field: number | string,
  type: TypeInformation<unknown> | null,
): AggregationField {
  const call = `${API_NAMES[aggregation]}(${JSON.stringify(field)})`;
  if (typeof field !== 'string' && !(typeof field === 'number' && Number.isInteger(field) && field >= 0)) {
    throw new JobDefinitionError(`${call}: the field must be an index (0, 1, …) or a field name`);
  }
  const d = type?.descriptor ?? null;
  if (d === null || d.kind === 'GENERIC') return { field, int64: false };
  const { resolved, fieldType } = locate(call, d, field);
  if (fieldType.kind !== 'GENERIC') {
    const allowed = aggregation === 'sum' ? SUMMABLE : COMPARABLE;
    if (!allowed.has(fieldType.kind)) {
      const what = field === 0 && isScalar(d) ? `the stream's type, ${describeType(d)},` : `field ${JSON.stringify(field)} of ${describeType(d)} is ${describeType(fieldType)}, which`;
      throw new JobDefinitionError(
        aggregation === 'sum'
          ? `${call}: ${what} cannot be summed: sum takes a BYTE, SHORT, INT, LONG, FLOAT or DOUBLE field`
          : `${call}: ${what} cannot be compared: ${API_NAMES[aggregation]} takes a number, STRING, BOOLEAN, SQL_DATE, SQL_TIME or SQL_TIMESTAMP field`,
      );
    }
  }
  return { field: resolved, int64: fieldType.kind === 'LONG' };
}

function isScalar(d: TypeDescriptor): boolean {
  return !('fields' in d) && !('element' in d) && d.kind !== 'MAP';
}

/** The field as the worker reads it, and its declared type; throws when the type has no such field. */
function locate(call: string, d: TypeDescriptor, field: number | string): { resolved: number | string; fieldType: TypeDescriptor } {
  const type = describeType(d);
  switch (d.kind) {
    case 'ROW':
    case 'TUPLE':
      if (typeof field === 'string') {
        throw new JobDefinitionError(`${call}: ${type} has no field names: give the field's index, 0 to ${d.fields.length - 1}`);
      }
      if (field >= d.fields.length) throw new JobDefinitionError(`${call}: ${type} has no field ${field}: its fields are 0 to ${d.fields.length - 1}`);
      return { resolved: field, fieldType: d.fields[field]! };
    case 'ROW_NAMED': {
      const index = typeof field === 'number' ? field : d.names.indexOf(field);
      if (index < 0 || index >= d.fields.length) {
        const fields = d.names.map((n, i) => `${i} ${JSON.stringify(n)}`).join(', ');
        throw new JobDefinitionError(`${call}: ${type} has no field ${JSON.stringify(field)}: its fields are ${fields}`);
      }
      return { resolved: d.names[index]!, fieldType: d.fields[index]! };
    }
    case 'LIST':
    case 'PRIMITIVE_ARRAY':
      // A list's length is the record's own: an index past it is found at run time.
      if (typeof field === 'string') throw new JobDefinitionError(`${call}: ${type} has no field names: give an element's index`);
      return { resolved: field, fieldType: d.element };
    case 'MAP':
      throw new JobDefinitionError(`${call}: ${type} has no fields to aggregate`);
    default:
      // A single value is its own field 0, as in Flink ("0" selects a basic type whole).
      if (field !== 0) throw new JobDefinitionError(`${call}: ${type} is a single value: its only field is 0, the value itself`);
      return { resolved: 0, fieldType: d };
  }
}
