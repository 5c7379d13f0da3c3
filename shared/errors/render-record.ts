/** How error messages and dead letters show the record a function failed on. */
import { inspectSafely } from './describe-thrown.ts';

const RECORD_LIMIT = 2000;

/** A bounded rendering of a record for error messages and dead letters. */
export function renderRecord(value: unknown): string {
  // Never throws: a record whose inspection throws (a Proxy, a custom inspect) is still named.
  const text = inspectSafely(value);
  return text.length > RECORD_LIMIT ? `${text.slice(0, RECORD_LIMIT)}… (${text.length} characters)` : text;
}
