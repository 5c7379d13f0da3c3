/**
 * Why a function, or one of its fields, cannot be shipped. Raised deep inside shipping and
 * turned into an UnshippableFunctionError naming the function and operator at the top
 * (ship-function.ts), so that each reason is written once, where it is found.
 *
 * A reason either names its own subject ("field this.x holds …") or is about the function
 * being shipped and starts with a verb ("closes over `factor` …"): the subject is added by
 * whoever knows it (`it`, or the field that holds a nested function).
 */
export class ShippingProblem extends Error {
  constructor(
    readonly reason: string,
    readonly hasSubject = false,
  ) {
    super(reason);
  }

  /** The reason as a sentence about `subject` (e.g. "it", "field this.reducer (<lambda …>)"). */
  about(subject: string): string {
    return this.hasSubject ? this.reason : `${subject} ${this.reason}`;
  }
}

/** "`a`", "`a` and `b`", "`a`, `b` and `c`". */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
