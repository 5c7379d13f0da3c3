/**
 * The column layouts of a bundle processor's Data batches, derived from its RegisterRequest.
 * Host and worker both derive them here, so they cannot disagree.
 */
import type { BatchLayout } from '../codec/batch-layout.ts';
import { parseTypeDescriptor } from '../api/types.ts';
import { isBroadcastKind } from './co-functions.ts';
import type { RegisterRequest } from './messages.ts';
import { isRollingAggregation } from './rolling-aggregations.ts';

export const DEAD_LETTER_SUFFIX = '/dead-letters';

export interface ProcessorLayouts {
  input: BatchLayout;
  /** The second input of a two-input processor (its rows tagged `input2`; never keyed for a broadcast process function); null otherwise. */
  input2: BatchLayout | null;
  timers: BatchLayout;
  /** By output transform id: the main output (the last transform's id) and every side output. */
  outputs: Map<string, BatchLayout>;
  mainOutputId: string;
}

export function processorLayouts(register: RegisterRequest): ProcessorLayouts {
  const transforms = register.transforms ?? [];
  const last = transforms[transforms.length - 1];
  if (last === undefined || !last.id) throw new Error('a bundle processor needs at least one transform');
  // A window's results carry its maxTimestamp(), whatever its input carries; in BATCH execution
  // a rolling aggregation's carry the end of time (keyed-aggregation.ts).
  const batch = register.batchExecution === true;
  const timestamped =
    Boolean(register.timestampedInput) ||
    transforms.some((t) => t.kind === 'timestamps' || t.kind === 'window' || (batch && isRollingAggregation(t.kind ?? '')));
  const outputs = new Map<string, BatchLayout>();
  outputs.set(last.id, {
    value: parseTypeDescriptor(last.outputType ?? ''),
    // A keyBy's rows carry their key, a partitionCustom's the partition chosen for them.
    keyed: last.kind === 'key_by' || last.kind === 'partition_custom',
    timestamped,
  });
  for (const t of transforms) {
    for (const side of t.sideOutputs ?? []) {
      outputs.set(side.id ?? '', { value: parseTypeDescriptor(side.type ?? ''), keyed: false, timestamped });
    }
    if (t.failurePolicy === 'skip') {
      outputs.set(`${t.id ?? ''}${DEAD_LETTER_SUFFIX}`, { value: null, keyed: false, timestamped: false });
    }
  }
  return {
    input: {
      value: parseTypeDescriptor(register.inputType ?? ''),
      keyed: Boolean(register.keyedInput),
      timestamped: Boolean(register.timestampedInput),
    },
    input2: register.twoInput
      ? {
          value: parseTypeDescriptor(register.input2Type ?? ''),
          // A broadcast stream's rows go to every subtask: they have no key.
          keyed: Boolean(register.keyedInput) && !isBroadcastKind(transforms[0]?.kind ?? ''),
          timestamped: Boolean(register.timestampedInput),
        }
      : null,
    timers: { value: { kind: 'BYTE' }, keyed: true, timestamped: true },
    outputs,
    mainOutputId: last.id,
  };
}
