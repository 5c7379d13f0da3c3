/**
 * A broadcast process function's worker is given, at registration, its subtask's broadcast
 * states: one per descriptor the stream was broadcast with, in that order, each with the
 * entries the host holds in the host's order (none on a first start).
 */
import { describe, expect, it } from 'vitest';
import { MapStateDescriptor } from '../shared/api/state-descriptors.ts';
import { Types } from '../shared/api/types.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { fnProto } from '../shared/protocol/messages.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import type { UdfTransformation } from '../host/graph/transformation.ts';
import { registerRequest, type ShippedFunctions } from '../host/runtime/registration.ts';
import { broadcastStoreFor } from '../host/runtime/state-service.ts';
import { BroadcastStateStore } from '../host/state/broadcast-state-store.ts';

const Kind = fnProto.StateKind;
const Op = fnProto.StateOp;
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

function transform(id: number, udf: UdfTransformation['udf'], broadcastStates: MapStateDescriptor[] = []): UdfTransformation {
  return {
    kind: 'udf',
    id,
    uid: null,
    name: `${udf} ${id}`,
    udf,
    broadcastStates,
    fn: null,
    keySelector: null,
    builtin: null,
    sideOutputs: new Map(),
    failurePolicy: null,
    outputType: null,
  } as unknown as UdfTransformation;
}

function stage(...transforms: UdfTransformation[]): UdfStage {
  return {
    kind: 'udf',
    id: 'udf-5',
    name: 'Rules',
    parallelism: 2,
    maxParallelism: 128,
    transforms,
    keyedInput: true,
    timestampedInput: false,
    inputType: Types.STRING().descriptor,
    twoInput: true,
    input2Type: Types.LONG().descriptor,
    inputs: [],
    outputs: new Map(),
  } as unknown as UdfStage;
}

function shipped(transforms: UdfTransformation[]): ShippedFunctions {
  return {
    specs: new Map(transforms.map((t) => [t, { urn: 'test', payload: bytes() }])),
    names: new Map(transforms.map((t) => [t, t.name])),
    keySelectors: new Map(),
  };
}

const RULES = new MapStateDescriptor('rules', Types.STRING(), Types.LONG());
const LIMITS = new MapStateDescriptor('limits');

function register(s: UdfStage, broadcast: BroadcastStateStore | null) {
  return registerRequest(s, {
    jobName: 'job',
    subtask: 1,
    attempt: 0,
    maxParallelism: 128,
    config: new Configuration(),
    shipped: shipped(s.transforms),
    broadcast,
  });
}

describe('registration of a broadcast process function', () => {
  it("gives the head its subtask's entries, one state per descriptor in the order declared", () => {
    const head = transform(5, 'keyed_broadcast_process', [LIMITS, RULES]);
    const s = stage(head, transform(6, 'map'));
    const store = broadcastStoreFor(s, undefined)!;
    const put = (state: string, key: number, value: number) => ({
      index: 0,
      operation: { key: { stateName: state, kind: Kind.BROADCAST }, op: Op.PUT, mapKey: bytes(key), values: [bytes(value)] },
    });
    store.apply(store.plan([put('5/rules', 2, 20), put('5/rules', 1, 10), put('5/rules', 2, 21)]));
    const request = register(s, store);
    expect(request.transforms!.map((t) => [t.id, t.kind, t.broadcastStates])).toEqual([
      [
        '5',
        'keyed_broadcast_process',
        [
          { name: 'limits', keys: [], values: [] },
          { name: 'rules', keys: [bytes(2), bytes(1)], values: [bytes(21), bytes(10)] },
        ],
      ],
      ['6', 'map', undefined],
    ]);
  });

  it('gives every state empty on a first start, and the restored entries after a restore', () => {
    const s = stage(transform(5, 'broadcast_process', [RULES]));
    expect(register(s, broadcastStoreFor(s, undefined)).transforms![0]!.broadcastStates).toEqual([{ name: 'rules', keys: [], values: [] }]);
    const restored = broadcastStoreFor(s, { states: [{ name: 'rules', keys: [bytes(3)], values: [bytes(30)] }] });
    expect(register(s, restored).transforms![0]!.broadcastStates).toEqual([{ name: 'rules', keys: [bytes(3)], values: [bytes(30)] }]);
  });

  it('has no broadcast states for other kinds, and no store for their subtasks', () => {
    const s = stage(transform(5, 'keyed_co_process'));
    expect(broadcastStoreFor(s, undefined)).toBeNull();
    expect(register(s, null).transforms![0]!.broadcastStates).toBeUndefined();
  });

  it('cannot be built for a broadcast process function without its store', () => {
    const s = stage(transform(5, 'broadcast_process', [RULES]));
    expect(() => register(s, null)).toThrow("the registration of 'broadcast_process 5' needs its subtask's broadcast state");
  });
});
