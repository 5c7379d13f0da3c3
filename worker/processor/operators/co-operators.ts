/**
 * The heads of a two-input processor (DataStream.connect): CoMapFunction, CoFlatMapFunction,
 * CoProcessFunction and KeyedCoProcessFunction. Each is the one-input operator it pairs with
 * (map, flatMap, process) calling the function's first method for the first input's records,
 * and takes the second input's records through `input2`, which calls the second method the
 * same way: one count of elements in, one failure policy and dead-letter output, one context,
 * and the head's promise hand-over (ChainOperator.isHead) for either input, since the two
 * inputs' records run one at a time through the same chain.
 *
 *   input rows  ─▶ push()        ─▶ map1 / flatMap1 / processElement1 ─┐
 *   input2 rows ─▶ input2.push() ─▶ map2 / flatMap2 / processElement2 ─┴▶ next
 *
 * Both methods are resolved when the processor is built: a function without one of them fails
 * the registration, naming the method, before any record comes. The broadcast process
 * functions' head is in broadcast-process.ts.
 */
import { CO_FUNCTIONS, type CoKind } from '../../../shared/protocol/co-functions.ts';
import type { ProcessContextImpl } from '../contexts.ts';
import type { Downstream } from '../downstream.ts';
import { methodOf, type ChainOperator, type OperatorSetup } from './base.ts';
import { ProcessOperator, type ProcessCall } from './process.ts';
import { FlatMapOperator, MapOperator, type FlatMapCall, type MapCall } from './stateless.ts';

/** The head of a two-input processor: push() takes its first input's records, input2 its second's. */
export interface TwoInputOperator extends ChainOperator {
  readonly input2: Downstream;
}

/** Whether `operator` heads a two-input processor: these and the broadcast process operator (broadcast-process.ts), which alone have an `input2`. */
export function isTwoInput(operator: ChainOperator): operator is TwoInputOperator {
  return 'input2' in operator;
}

/** A co function's first and second method (CO_FUNCTIONS), each bound to it, resolved when the processor is built. */
function methodsOf<F extends (...args: never[]) => unknown>(fn: unknown, kind: CoKind): [F, F] {
  const { className, methods } = CO_FUNCTIONS[kind];
  return [methodOf<F>(fn, methods[0], className), methodOf<F>(fn, methods[1], className)];
}

export class CoMapOperator extends MapOperator implements TwoInputOperator {
  private readonly call2: MapCall;
  readonly input2: Downstream = { push: (value, timestamp) => this.map(this.call2, value, timestamp) };

  constructor(setup: OperatorSetup, fn: unknown) {
    // A method bound to its object is a function, which MapOperator calls as its map function.
    const [call1, call2] = methodsOf<MapCall>(fn, 'co_map');
    super(setup, call1);
    this.call2 = call2;
  }
}

export class CoFlatMapOperator extends FlatMapOperator implements TwoInputOperator {
  private readonly call2: FlatMapCall;
  readonly input2: Downstream = { push: (value, timestamp) => this.flatMap(this.call2, value, timestamp) };

  constructor(setup: OperatorSetup, fn: unknown) {
    const [call1, call2] = methodsOf<FlatMapCall>(fn, 'co_flat_map');
    super(setup, call1);
    this.call2 = call2;
  }
}

/**
 * co_process and keyed_co_process: the process operator's context for both methods (the
 * record's timestamp, side outputs; on keyed input the current key and timers), and its
 * onTimer, so that a keyed one is its processor's timer target as a keyed process is.
 */
export class CoProcessOperator extends ProcessOperator implements TwoInputOperator {
  private readonly call2: ProcessCall;
  readonly input2: Downstream = { push: (value, timestamp) => this.process(this.call2, value, timestamp) };

  constructor(setup: OperatorSetup, fn: unknown, ctx: ProcessContextImpl, kind: 'co_process' | 'keyed_co_process') {
    const [call1, call2] = methodsOf<ProcessCall>(fn, kind);
    super(setup, fn, ctx, call1);
    this.call2 = call2;
  }
}
