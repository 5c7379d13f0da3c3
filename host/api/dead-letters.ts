import { OutputTag } from '../../shared/api/output-tag.ts';
import { DEAD_LETTERS_TAG } from '../graph/plan.ts';

/**
 * What arrives on the dead-letter output of an operator whose failure policy is 'skip'. The
 * record is skipped whole: nothing its function emitted for it before throwing goes on.
 */
export interface DeadLetter<T = unknown> {
  /** The record the function failed on (for an onTimer failure: {timer, domain}). */
  record: T;
  operator: string;
  function: string;
  error: { name: string; message: string; stack: string };
}

/** stream.getSideOutput(DEAD_LETTERS): the records an operator skipped under the 'skip' policy. */
export const DEAD_LETTERS = new OutputTag<DeadLetter>(DEAD_LETTERS_TAG);
