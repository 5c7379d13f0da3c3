/**
 * A bundle processor: the chain of user functions one RegisterRequest describes, rows in and
 * rows out. It knows nothing of Arrow or transports: the data plane feeds it decoded batches in
 * process and thread mode, the host feeds it rows directly in embedded mode.
 *
 *   input rows ─▶ head operator ─▶ … ─▶ last operator ─▶ main OutputBuffer
 *                  ▲   │ ctx.output(tag)                 (key_by: rows carry their key;
 *   input2 rows ───┘   │                                  partition_custom: their partition)
 *   (a two-input head) └──────────────▶ side OutputBuffers, dead letters
 */
import type { FunctionSpec, RegisterRequest, TransformMetrics, TransformProto } from '../../shared/protocol/messages.ts';
import { activity } from '../activity.ts';
import { DEAD_LETTER_SUFFIX, processorLayouts, type ProcessorLayouts } from '../../shared/protocol/layouts.ts';
import { VALUE_COLUMN, type RowBatch } from '../../shared/codec/batch-layout.ts';
import { ValueEncodeError } from '../../shared/codec/value-encode-error.ts';
import { ProtocolError } from '../../shared/errors/errors.ts';
import { ValueNormalizer } from '../../shared/codec/value-normalizer.ts';
import { parseTypeDescriptor } from '../../shared/api/types.ts';
import type { WorkerKeyedState, OperatorStateAccess } from '../state/worker-keyed-state.ts';
import { ChainHandOff, outputTypeFailure } from './chain-hand-off.ts';
import type { Downstream, Pushed } from './downstream.ts';
import { ElementScope } from './element-scope.ts';
import { FunctionFailure, isPromiseLike, lifecycleFailure, type FunctionIdentity } from './failure.ts';
import { OutputBuffer, SideOutputs } from './output-buffer.ts';
import type { ChainOperator, FailurePolicy, OperatorSetup } from './operators/base.ts';
import { isTwoInput } from './operators/co-operators.ts';
import { windowFunctionsOf } from './operators/window.ts';
import { isCoKind } from '../../shared/protocol/co-functions.ts';
import { operatorFor, type OperatorEnvironment, type TimerTarget } from './operator-factory.ts';
import type { Clock } from './contexts.ts';
import { windowFunctionName, type WindowSpec } from '../../shared/protocol/window-spec.ts';
import type { TaskInfo } from '../../shared/api/task-runtime-context.ts';
import { RuntimeContextImpl } from './runtime-context.ts';
import { runRows, type RowStep } from './row-loop.ts';
import { TimerFiring, type TimerDomain } from './timer-firing.ts';

export const BUILTIN_URN = 'sluice:fn:builtin:v1';

export interface ProcessorServices {
  state: WorkerKeyedState;
  loadFunction(spec: FunctionSpec): Promise<unknown>;
  /** Told each step of create() as it begins: which function loads or opens (worker/startup-deadline.ts). */
  onStartupStep?(step: StartupStep): void;
}

/** What create() is doing: loading a function (its module, and those it imports) or calling its open(). */
export interface StartupStep {
  step: 'load' | 'open';
  who: FunctionIdentity;
}

interface Stage {
  operator: ChainOperator;
  /** The functions open() and close() are called on, in order (a partitioner's key selector first). */
  fns: { fn: unknown; who: FunctionIdentity }[];
  context: RuntimeContextImpl;
  transformId: string;
}

/** Transforms whose output values are their input's. */
const PASS_THROUGH = new Set(['key_by', 'timestamps', 'partition_custom']);

export class BundleProcessor {
  readonly layouts: ProcessorLayouts;
  readonly outputs: Map<string, OutputBuffer>;
  /** Whose values (and whose keys and timestamps) go to each output, for errors about them. */
  private readonly producers = new Map<string, { values: FunctionIdentity; rest: FunctionIdentity }>();
  private readonly scope = new ElementScope();
  /** The head's watermark; the functions after it see `chainedClock`'s (see startBundle). */
  private readonly headClock: Clock = { watermark: -Infinity };
  private readonly chainedClock: Clock = { watermark: -Infinity };
  private readonly firing = new TimerFiring();
  private stages: Stage[] = [];
  private head!: ChainOperator;
  /** The keyed process function or window operator timers fire on. */
  private timerTarget: TimerTarget | null = null;
  /** The keyed state of the head, when the input is keyed: batches are prefetched through it. */
  private headState: OperatorStateAccess | null = null;
  /** Where a two-input processor's second input goes (its head's second method); null with one input. */
  private input2: Downstream | null = null;
  /** What the operators of the chain are built with (operator-factory.ts). */
  private readonly operatorEnvironment: OperatorEnvironment;

  private constructor(
    readonly processorId: string,
    private readonly register: RegisterRequest,
    private readonly services: ProcessorServices,
    batchCapacity: number,
  ) {
    this.layouts = processorLayouts(register);
    this.firing.quiescedWhileFiring = register.batchExecution === true;
    this.outputs = new Map();
    for (const [id, layout] of this.layouts.outputs) this.outputs.set(id, new OutputBuffer(id, layout, batchCapacity));
    this.operatorEnvironment = {
      scope: this.scope,
      firing: this.firing,
      mainOutput: this.outputs.get(this.layouts.mainOutputId)!,
      state: services.state,
      setTimerTarget: (target) => (this.timerTarget = target),
      keySelectorIdentity,
      batch: register.batchExecution === true,
    };
  }

  /** Loads the functions, builds the chain and opens the functions, in chain order. */
  static async create(register: RegisterRequest, services: ProcessorServices, batchCapacity: number): Promise<BundleProcessor> {
    const processor = new BundleProcessor(register.processorId ?? '', register, services, batchCapacity);
    await processor.build();
    await processor.open();
    return processor;
  }

  private async build(): Promise<void> {
    const register = this.register;
    const transforms = register.transforms ?? [];
    const task: Omit<TaskInfo, 'taskName'> = {
      parallelism: register.parallelism ?? 1,
      maxParallelism: register.maxParallelism ?? 128,
      subtaskIndex: register.subtaskIndex ?? 0,
      attempt: register.attempt ?? 0,
      config: register.config ?? {},
    };
    for (const [i, t] of transforms.entries()) {
      const id = t.id ?? '';
      const name = t.name || id;
      checkTwoInputHead(t.kind ?? '', i === 0 && Boolean(register.twoInput));
      const keyed = i === 0 && Boolean(register.keyedInput);
      const state: OperatorStateAccess | null = keyed
        ? this.services.state.forOperator(id, this.scope)
        : null;
      if (i === 0) this.headState = state;
      const policy = (t.failurePolicy || 'fail') as FailurePolicy;
      const isBuiltin = t.function?.urn === BUILTIN_URN;
      const loading = (functionName: string): void =>
        this.services.onStartupStep?.({ step: 'load', who: { operator: name, transform: id, functionName } });
      if (!isBuiltin) loading(t.functionName || '<function>');
      const fn = isBuiltin ? null : await this.services.loadFunction(t.function ?? {});
      if (t.kind === 'partition_custom') loading(t.keySelectorName || '<key selector>');
      const keySelector = t.kind === 'partition_custom' ? await this.services.loadFunction(t.keySelector ?? {}) : null;
      const setup: OperatorSetup = {
        who: {
          operator: name,
          transform: id,
          // A window ships its functions in one object: it is named for the function that runs on a firing.
          functionName: t.kind === 'window' ? windowFunctionName(fn as WindowSpec, functionNameOf) : t.functionName || (isBuiltin ? t.kind ?? '' : functionNameOf(fn)),
        },
        policy,
        deadLetters: this.outputs.get(`${id}${DEAD_LETTER_SUFFIX}`) ?? null,
      };
      for (const s of t.sideOutputs ?? []) this.producers.set(s.id ?? '', { values: setup.who, rest: setup.who });
      const sideOutputs = new SideOutputs(
        new Map((t.sideOutputs ?? []).map((s) => [s.tag ?? '', this.outputs.get(s.id ?? '')!] as const)),
      );
      const isLast = i === transforms.length - 1;
      const kind = t.kind ?? '';
      const operator = operatorFor(
        { kind, t, setup, fn, keySelector, state, sideOutputs, isLast, clock: i === 0 ? this.headClock : this.chainedClock },
        this.operatorEnvironment,
      );
      if (isTwoInput(operator)) this.input2 = operator.input2;
      const fns = (t.kind === 'window' ? windowFunctionsOf(fn as WindowSpec) : [fn]).map((f) => ({ fn: f, who: operator.who }));
      if (t.kind === 'partition_custom') fns.unshift({ fn: keySelector, who: keySelectorIdentity(setup.who, t, keySelector) });
      this.stages.push({ operator, fns, transformId: id, context: new RuntimeContextImpl({ ...task, taskName: name }, state, kind === 'window') });
    }
    const main = this.outputs.get(this.layouts.mainOutputId)!;
    // key_by and timestamps forward the values of the operator before them, and make the keys
    // and timestamps themselves.
    let valuesFrom = this.stages.length - 1;
    while (valuesFrom > 0 && PASS_THROUGH.has(transforms[valuesFrom]?.kind ?? '')) valuesFrom--;
    this.producers.set(this.layouts.mainOutputId, {
      values: this.stages[valuesFrom]!.operator.who,
      rest: this.stages.at(-1)!.operator.who,
    });
    // A function chained after another receives what a stage boundary between them would
    // deliver (chain-hand-off.ts); the last one's values are encoded, or normalized, as they leave.
    for (const [i, stage] of this.stages.entries()) {
      const next = this.stages[i + 1];
      stage.operator.next =
        next === undefined
          ? (main as Downstream)
          : new ChainHandOff(new ValueNormalizer(parseTypeDescriptor(transforms[i]?.outputType ?? '')), next.operator, stage.operator.who);
    }
    this.head = this.stages[0]!.operator;
    this.head.isHead = true;
  }

  private async open(): Promise<void> {
    const opened: { fn: unknown; who: FunctionIdentity }[] = [];
    for (const stage of this.stages) {
      for (const { fn, who } of stage.fns) {
        const open = (fn as { open?: unknown } | null)?.open;
        if (typeof open === 'function') {
          activity.operator = who.operator;
          this.services.onStartupStep?.({ step: 'open', who });
          try {
            await open.call(fn, stage.context);
          } catch (thrown) {
            // The functions opened before it release what they hold, as Flink closes a chain's
            // operators when one fails to open; what their close() throws is not this failure.
            await closeEach(opened).catch(() => undefined);
            throw lifecycleFailure(thrown, who, 'open');
          }
        }
        opened.push({ fn, who });
      }
    }
  }

  /**
   * What an output's encoder threw, as a failure of the function whose values go to that
   * output: a value that did not fit the type declared for it, or whose reading threw.
   */
  outputFailure(outputId: string, error: unknown): unknown {
    const producers = this.producers.get(outputId);
    if (producers === undefined) return error;
    const rest = error instanceof ValueEncodeError && !error.path.startsWith(VALUE_COLUMN);
    return outputTypeFailure(error, rest ? producers.rest : producers.values);
  }

  /**
   * The head sees `watermark`; the functions chained after it see `chainedWatermark`, the
   * watermark the host has sent on. They differ in a bundle that fires event-time timers: the
   * watermark that fired them moves on after their output (as Flink's operators forward it),
   * so a function after the head sees that output under the previous watermark, chained or not.
   */
  startBundle(watermark: number, chainedWatermark: number = watermark): void {
    this.headClock.watermark = watermark;
    this.chainedClock.watermark = chainedWatermark;
    this.firing.startBundle(watermark);
  }

  /**
   * Runs a batch of input rows through the chain, in order. On a keyed input the batch goes in
   * segments: before each, the head's states are read for the segment's keys in one request
   * (as many keys as the cache can hold), and the segment's rows run once the answers are in,
   * so that reads cost a round trip per segment, not per key, and never block the thread.
   *
   * A `consumable` batch is the processor's alone (decoded for it): each row's value is taken
   * out of it as the row starts, so that rows already done are not kept alive until the batch
   * ends; otherwise every scavenge during the batch copies all of its values again
   * (benchmarks/RESULTS.md, twelfth round).
   *
   * `input` 2 is a two-input processor's second input (rows the host tagged `input2`): they go
   * to its head's second method, keyed by the same keys, under the same state and timers (a
   * broadcast input's rows have no key: see broadcast-process.ts).
   */
  processInput(batch: RowBatch, consumable = false, input: 1 | 2 = 1): Pushed {
    const into = input === 1 ? this.head : this.secondInput();
    const values = batch.values;
    const timestamps = batch.timestamps;
    const step = consumable
      ? (i: number): Pushed => {
          const value = values[i];
          // 0, not undefined: it frees a reference as well, and leaves a column of numbers
          // (a double array) as it is, where undefined made V8 copy it into one of objects.
          values[i] = 0;
          return into.push(value, timestamps?.[i] ?? null);
        }
      : (i: number): Pushed => into.push(values[i], timestamps?.[i] ?? null);
    return this.runPrefetched(batch, step);
  }

  /**
   * Runs the batch's rows, keyed ones in segments whose state is read into the cache first (one
   * request for the segment's keys): a row's reads then never block on the host.
   */
  private runPrefetched(batch: RowBatch, step: RowStep): Pushed {
    const state = this.headState;
    const keys = batch.keys;
    if (state === null || keys === null) return this.run(batch, 0, batch.length, step);
    const segments = (from: number): Pushed => {
      while (from < batch.length) {
        const { count, ready } = state.prefetch(keys, from);
        const end = from + Math.max(1, count);
        // The segment's rows run once their state is in the cache: their reads then never block.
        if (ready !== null) return ready.then(() => this.run(batch, from, end, step)).then(() => segments(end));
        const pushed = this.run(batch, from, end, step);
        if (pushed !== undefined) return pushed.then(() => segments(end));
        from = end;
      }
      return undefined;
    };
    return segments(0);
  }

  private secondInput(): Downstream {
    if (this.input2 === null) throw new ProtocolError(`processor '${this.processorId}' has one input: it was sent rows of a second input`);
    return this.input2;
  }

  /**
   * Fires timers (keyed, timestamped rows whose value is 0 for event time, 1 for processing
   * time; one domain a batch, sorted by timestamp). What their onTimer registers or deletes is
   * seen by the timers after it (TimerFiring): a timer queued there fires before the first row
   * of a later timestamp, a deleted one not at all.
   */
  processTimers(batch: RowBatch): Pushed {
    const target = this.timerTarget;
    if (target === null) throw new Error('timers were sent to a processor without a keyed process function or window');
    const timestamps = batch.timestamps ?? [];
    const keys = batch.keys;
    const domain: TimerDomain = batch.values[0] === 1 ? 'processing' : 'event';
    const timeDomain = domain === 'event' ? 'EVENT_TIME' : 'PROCESSING_TIME';
    const firing = this.firing;
    firing.beginBatch(domain, timestamps[batch.length - 1] ?? -Infinity);
    const row = (i: number): Pushed => {
      const timestamp = timestamps[i] ?? 0;
      if (keys !== null) this.scope.setRow(keys, i);
      if (firing.drops(domain, this.scope.keyBytes(), timestamp)) return undefined;
      return target.fire(timestamp, timeDomain);
    };
    const step = (i: number): Pushed => {
      if (!firing.changed) return target.fire(timestamps[i] ?? 0, timeDomain);
      const queued = this.fireQueued(target, timeDomain, timestamps[i] ?? 0);
      return queued === undefined ? row(i) : queued.then(() => row(i));
    };
    const rest = (): Pushed => {
      const queued = this.fireQueued(target, timeDomain);
      if (queued !== undefined) return queued.then(() => firing.endBatch());
      firing.endBatch();
      return undefined;
    };
    // Timers read their keys' state as records do (BATCH: every key's, at the end of input).
    const pushed = this.runPrefetched(batch, step);
    return pushed === undefined ? rest() : pushed.then(rest);
  }

  /** Fires the queued timers whose timestamp is below `limit` (default: the batch's horizon), in order. */
  private fireQueued(target: TimerTarget, timeDomain: 'EVENT_TIME' | 'PROCESSING_TIME', limit?: number): Pushed {
    for (let timer = this.firing.next(limit); timer !== undefined; timer = this.firing.next(limit)) {
      this.scope.setKey(timer.key);
      const pushed = target.fire(timer.timestamp, timeDomain);
      if (pushed !== undefined) return pushed.then(() => this.fireQueued(target, timeDomain, limit));
    }
    return undefined;
  }

  private run(batch: RowBatch, from: number, end: number, step: RowStep): Pushed {
    return runRows(this.head, this.scope, batch, from, end, step);
  }

  /** Commits the bundle's state writes; resolves when the host holds all of them. */
  async finishBundle(): Promise<Record<string, TransformMetrics>> {
    // Queued timers that did not fire in this bundle are the host's to fire, in its next round.
    const state = this.headState;
    for (const timer of this.firing.takeLeftover()) {
      this.scope.setKey(timer.key);
      state?.registerTimer(timer.domain, timer.timestamp);
    }
    await this.services.state.finishBundle();
    return this.metrics();
  }

  /**
   * Per transform since the processor started: elements in, and elements out on its main output
   * (what the next function of the chain received, or the processor's main output) plus its
   * side outputs and dead letters, as Flink's numRecordsOut counts side outputs.
   */
  metrics(): Record<string, TransformMetrics> {
    const metrics: Record<string, TransformMetrics> = {};
    for (const [i, stage] of this.stages.entries()) {
      const next = this.stages[i + 1];
      const main =
        next !== undefined ? next.operator.elementsIn : (this.outputs.get(this.layouts.mainOutputId)?.emitted ?? 0);
      metrics[stage.transformId] = { elementsIn: stage.operator.elementsIn, elementsOut: main + stage.operator.sideElementsOut };
    }
    return metrics;
  }

  /** End of input: close() every function, in chain order; the first failure is reported. */
  close(): Promise<void> {
    return closeEach(this.stages.flatMap((stage) => stage.fns));
  }
}

/** close() each function that has one, in order, each once; rejects with the first failure. */
async function closeEach(fns: readonly { fn: unknown; who: FunctionIdentity }[]): Promise<void> {
  let failure: FunctionFailure | null = null;
  for (const { fn, who } of fns) {
    const close = (fn as { close?: unknown } | null)?.close;
    if (typeof close !== 'function') continue;
    activity.operator = who.operator;
    try {
      const r: unknown = close.call(fn);
      if (isPromiseLike(r)) await r;
    } catch (thrown) {
      failure ??= lifecycleFailure(thrown, who, 'close');
    }
  }
  if (failure !== null) throw failure;
}

/**
 * A two-input processor begins with its two-input transform, and only there is one: the host
 * sends the second input's rows to the head, and one key's state and timers are the head's.
 */
function checkTwoInputHead(kind: string, twoInputHead: boolean): void {
  if (isCoKind(kind) === twoInputHead) return;
  throw new Error(
    twoInputHead
      ? `a two-input processor must begin with a co_map, co_flat_map, co_process, keyed_co_process, broadcast_process or keyed_broadcast_process transform, not '${kind}'`
      : `a ${kind} transform must be the first of a two-input processor`,
  );
}

function keySelectorIdentity(of: FunctionIdentity, t: TransformProto, keySelector: unknown): FunctionIdentity {
  return { operator: of.operator, transform: of.transform, functionName: t.keySelectorName || functionNameOf(keySelector) };
}

function functionNameOf(fn: unknown): string {
  if (typeof fn === 'function') return fn.name || '<lambda>';
  if (typeof fn === 'object' && fn !== null) return fn.constructor?.name || '<object>';
  return String(fn);
}
