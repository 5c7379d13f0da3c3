/**
 * How print() and the file sink render a record: strings as they are, everything else in a
 * JSON-like form that also covers bigint, Date, Map, Set, Uint8Array and undefined, e.g.
 * [1,3] or {"word":"a","n":2}.
 */
export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : render(value);
}

function render(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'symbol':
      return value.toString();
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(render).join(',')}]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Map) return `Map{${[...value].map(([k, v]) => `${render(k)}:${render(v)}`).join(',')}}`;
  if (value instanceof Set) return `Set{${[...value].map(render).join(',')}}`;
  if (value instanceof Uint8Array) return `bytes[${[...value].join(',')}]`;
  return `{${Object.entries(value as object)
    .map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`)
    .join(',')}}`;
}
