/**
 * Type information for stream values, mirroring PyFlink's `Types`. A declared type makes values
 * travel as typed Arrow columns (the polyglot path); without one they travel in the generic
 * column (proto/generic-value.md), which round-trips any plain JavaScript value exactly.
 *
 * JavaScript representation of each type:
 *   BOOLEAN boolean | BYTE, SHORT, INT number (integer in range) | FLOAT, DOUBLE number
 *   LONG number when a safe integer, bigint otherwise (never loses precision; typed as number
 *   for convenience: values beyond ±(2^53-1) arrive as bigint)
 *   STRING string | BYTES Uint8Array | SQL_DATE Date (UTC midnight) | SQL_TIMESTAMP Date
 *   SQL_TIME number (milliseconds since midnight) | ROW, TUPLE array | ROW_NAMED plain object
 *   LIST, BASIC_ARRAY, PRIMITIVE_ARRAY array (PRIMITIVE_ARRAY(BYTE) is Uint8Array) | MAP Map
 * Every type is nullable: null (and undefined) travel as null.
 */

export type PrimitiveKind =
  | 'BOOLEAN'
  | 'BYTE'
  | 'SHORT'
  | 'INT'
  | 'LONG'
  | 'FLOAT'
  | 'DOUBLE'
  | 'STRING'
  | 'BYTES'
  | 'SQL_DATE'
  | 'SQL_TIME'
  | 'SQL_TIMESTAMP'
  | 'GENERIC';

/** The JSON form of a type: what travels in RegisterRequest (see proto/types.md). */
export type TypeDescriptor =
  | { kind: PrimitiveKind }
  | { kind: 'ROW'; fields: TypeDescriptor[] }
  | { kind: 'ROW_NAMED'; names: string[]; fields: TypeDescriptor[] }
  | { kind: 'TUPLE'; fields: TypeDescriptor[] }
  | { kind: 'LIST'; element: TypeDescriptor }
  | { kind: 'PRIMITIVE_ARRAY'; element: TypeDescriptor }
  | { kind: 'MAP'; key: TypeDescriptor; value: TypeDescriptor };

export type TypeKind = TypeDescriptor['kind'];

/**
 * A stream value's type. `T` is the JavaScript type of its values; it only informs the
 * compiler (DataStream<T> inference) and does not exist at run time.
 */
export class TypeInformation<T = unknown> {
  declare readonly __valueType?: T;
  constructor(readonly descriptor: TypeDescriptor) {}

  get kind(): TypeKind {
    return this.descriptor.kind;
  }

  toJSON(): TypeDescriptor {
    return this.descriptor;
  }

  toString(): string {
    return describeType(this.descriptor);
  }

  equals(other: TypeInformation<unknown>): boolean {
    return JSON.stringify(this.descriptor) === JSON.stringify(other.descriptor);
  }

  static fromDescriptor<T = unknown>(descriptor: TypeDescriptor): TypeInformation<T> {
    return new TypeInformation<T>(descriptor);
  }
}

export function describeType(d: TypeDescriptor): string {
  switch (d.kind) {
    case 'ROW':
    case 'TUPLE':
      return `${d.kind}(${d.fields.map(describeType).join(', ')})`;
    case 'ROW_NAMED':
      return `ROW_NAMED(${d.fields.map((f, i) => `${d.names[i]}: ${describeType(f)}`).join(', ')})`;
    case 'LIST':
    case 'PRIMITIVE_ARRAY':
      return `${d.kind}(${describeType(d.element)})`;
    case 'MAP':
      return `MAP(${describeType(d.key)}, ${describeType(d.value)})`;
    default:
      return d.kind;
  }
}

type ValuesOf<T extends readonly TypeInformation<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends TypeInformation<infer V> ? V : never;
};

function primitive<T>(kind: PrimitiveKind): () => TypeInformation<T> {
  return () => new TypeInformation<T>({ kind });
}

function fieldsOf(types: readonly TypeInformation<unknown>[], what: string): TypeDescriptor[] {
  if (!Array.isArray(types)) throw new TypeError(`${what} takes an array of types`);
  return types.map((t, i) => {
    if (!(t instanceof TypeInformation)) {
      throw new TypeError(`${what}: field ${i} is not a type (did you write Types.LONG instead of Types.LONG()?)`);
    }
    return t.descriptor;
  });
}

/** PyFlink's `Types`, in camelCase where PyFlink uses snake_case. */
export const Types = {
  BOOLEAN: primitive<boolean>('BOOLEAN'),
  BYTE: primitive<number>('BYTE'),
  SHORT: primitive<number>('SHORT'),
  INT: primitive<number>('INT'),
  LONG: primitive<number>('LONG'),
  BIG_INT: primitive<number | bigint>('LONG'),
  FLOAT: primitive<number>('FLOAT'),
  DOUBLE: primitive<number>('DOUBLE'),
  STRING: primitive<string>('STRING'),
  BYTES: primitive<Uint8Array>('BYTES'),
  SQL_DATE: primitive<Date>('SQL_DATE'),
  SQL_TIME: primitive<number>('SQL_TIME'),
  SQL_TIMESTAMP: primitive<Date>('SQL_TIMESTAMP'),
  /** Values of any shape, in the generic column (PyFlink's PICKLED_BYTE_ARRAY). */
  GENERIC: primitive<unknown>('GENERIC'),
  PICKLED_BYTE_ARRAY: primitive<unknown>('GENERIC'),
  ROW<const T extends readonly TypeInformation<unknown>[]>(types: T): TypeInformation<ValuesOf<T>> {
    return new TypeInformation({ kind: 'ROW', fields: fieldsOf(types, 'Types.ROW') });
  },
  ROW_NAMED<const T extends readonly TypeInformation<unknown>[]>(
    names: readonly string[],
    types: T,
  ): TypeInformation<Record<string, unknown>> {
    if (!Array.isArray(names) || names.length !== types.length || names.some((n) => typeof n !== 'string')) {
      throw new TypeError('Types.ROW_NAMED takes as many field names (strings) as field types');
    }
    return new TypeInformation({ kind: 'ROW_NAMED', names: [...names], fields: fieldsOf(types, 'Types.ROW_NAMED') });
  },
  TUPLE<const T extends readonly TypeInformation<unknown>[]>(types: T): TypeInformation<ValuesOf<T>> {
    return new TypeInformation({ kind: 'TUPLE', fields: fieldsOf(types, 'Types.TUPLE') });
  },
  LIST<E>(element: TypeInformation<E>): TypeInformation<E[]> {
    return new TypeInformation({ kind: 'LIST', element: fieldsOf([element], 'Types.LIST')[0]! });
  },
  BASIC_ARRAY<E>(element: TypeInformation<E>): TypeInformation<E[]> {
    return new TypeInformation({ kind: 'LIST', element: fieldsOf([element], 'Types.BASIC_ARRAY')[0]! });
  },
  OBJECT_ARRAY<E>(element: TypeInformation<E>): TypeInformation<E[]> {
    return new TypeInformation({ kind: 'LIST', element: fieldsOf([element], 'Types.OBJECT_ARRAY')[0]! });
  },
  PRIMITIVE_ARRAY<E>(element: TypeInformation<E>): TypeInformation<E extends number ? number[] | Uint8Array : E[]> {
    return new TypeInformation({ kind: 'PRIMITIVE_ARRAY', element: fieldsOf([element], 'Types.PRIMITIVE_ARRAY')[0]! });
  },
  MAP<K, V>(key: TypeInformation<K>, value: TypeInformation<V>): TypeInformation<Map<K, V>> {
    const [k, v] = fieldsOf([key, value], 'Types.MAP');
    return new TypeInformation({ kind: 'MAP', key: k!, value: v! });
  },
} as const;

/** Parses a descriptor that came over the wire, refusing anything malformed. */
export function parseTypeDescriptor(json: string): TypeDescriptor | null {
  if (json === '') return null;
  const d: unknown = JSON.parse(json);
  checkDescriptor(d, 'type');
  return d as TypeDescriptor;
}

const PRIMITIVES = new Set<string>([
  'BOOLEAN', 'BYTE', 'SHORT', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BYTES',
  'SQL_DATE', 'SQL_TIME', 'SQL_TIMESTAMP', 'GENERIC',
]);

function checkDescriptor(d: unknown, path: string): void {
  if (typeof d !== 'object' || d === null) throw new TypeError(`${path} is not a type descriptor`);
  const o = d as Record<string, unknown>;
  const kind = o['kind'];
  if (typeof kind === 'string' && PRIMITIVES.has(kind)) return;
  switch (kind) {
    case 'ROW':
    case 'TUPLE':
    case 'ROW_NAMED': {
      const fields = o['fields'];
      if (!Array.isArray(fields)) throw new TypeError(`${path}.fields must be an array`);
      fields.forEach((f, i) => checkDescriptor(f, `${path}.fields[${i}]`));
      if (kind === 'ROW_NAMED') {
        const names = o['names'];
        if (!Array.isArray(names) || names.length !== fields.length) {
          throw new TypeError(`${path}.names must name every field`);
        }
      }
      return;
    }
    case 'LIST':
    case 'PRIMITIVE_ARRAY':
      checkDescriptor(o['element'], `${path}.element`);
      return;
    case 'MAP':
      checkDescriptor(o['key'], `${path}.key`);
      checkDescriptor(o['value'], `${path}.value`);
      return;
    default:
      throw new TypeError(`${path}.kind ${JSON.stringify(kind)} is not a known type`);
  }
}
