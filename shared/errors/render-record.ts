/** How error messages and dead letters show the record a function failed on. */
import { inspect } from 'node:util';

const RECORD_LIMIT = 2000;

/** A bounded rendering of a record for error messages and dead letters. */
export function renderRecord(value: unknown): string {
  let text: string;
  try {
    text = inspect(value, { depth: 4, maxArrayLength: 20, maxStringLength: 500, breakLength: Infinity });
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > RECORD_LIMIT ? `${text.slice(0, RECORD_LIMIT)}… (${text.length} characters)` : text;
}
