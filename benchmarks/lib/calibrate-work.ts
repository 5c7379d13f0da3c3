/**
 * Sizes a busy-loop function to a wanted cost per call, measured on the host's thread before any
 * job runs. Workers run the same code on the same V8, so the cost there is close; the case reports
 * the cost measured here as the function's own (and the job's rate says the rest).
 */
import { measureDirect } from './direct-loop.ts';

export interface CalibratedWork {
  /** The loop's round count that costs about the wanted time per call. */
  rounds: number;
  /** The measured cost of one call with that many rounds, in µs. */
  microsPerCall: number;
}

/** Inputs cycled by the measuring loop: distinct, so nothing can be cached per input. */
const INPUTS = Array.from({ length: 1024 }, (_, i) => i + 1);

/**
 * `make(rounds)` builds the function (it must do work proportional to `rounds`); the result
 * costs `targetMicros` per call within the machine's noise.
 */
export function calibrateWork(make: (rounds: number) => (x: number) => unknown, targetMicros: number): CalibratedWork {
  const probeRounds = 1000;
  const probe = make(probeRounds);
  measureDirect(probe, INPUTS, 100); // warm-up: optimised code from here on
  const perRound = 1000 / measureDirect(probe, INPUTS, 200).rowsPerSecond / probeRounds; // ms per round
  const rounds = Math.max(1, Math.round(targetMicros / 1000 / perRound));
  const fn = make(rounds);
  measureDirect(fn, INPUTS, 50);
  const microsPerCall = 1e6 / measureDirect(fn, INPUTS, 200).rowsPerSecond;
  return { rounds, microsPerCall };
}
