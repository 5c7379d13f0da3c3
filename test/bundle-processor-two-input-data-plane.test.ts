/**
 * The worker's data plane on a two-input processor: rows tagged `input2` are decoded with the
 * second input's layout and go to the head's second method; a processor with one input refuses
 * them, failing the bundle with a ProtocolError, as it refuses rows under any tag it does not
 * take. Driven by hand from the host's end of an in-memory pair. Embedded mode, which has no
 * data plane, gives the second input's rows the values their type makes of them, as decoding does.
 */
import { describe, expect, it } from 'vitest';
import { Types } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import { processorLayouts } from '../shared/protocol/layouts.ts';
import type { DataBatch, InstructionResponse, RegisterRequest } from '../shared/protocol/messages.ts';
import { createEmbeddedProcessor } from '../worker/embedded.ts';
import { FnHarness } from '../worker/harness.ts';

const LONG = JSON.stringify(Types.LONG().descriptor);
const STRING = JSON.stringify(Types.STRING().descriptor);

/** A worker harness whose functions are `functions` (a transform's function payload is its index). */
function worker(functions: unknown[]) {
  const pair = createInMemoryPair();
  const loadFunction = (spec: { payload?: Uint8Array | null }): Promise<unknown> =>
    Promise.resolve(functions[Number(Buffer.from(spec.payload ?? []).toString())]);
  new FnHarness(pair.worker, { workerId: 'w1', loadFunction, captureConsole: false, onShutdown: () => undefined });
  const answers = new Map<string, (response: InstructionResponse) => void>();
  pair.host.control.onMessage((response) => answers.get(response.instructionId ?? '')?.(response));
  const outputs: DataBatch[] = [];
  pair.host.data.onMessage((elements) => outputs.push(...(elements.data ?? [])));
  let next = 0;
  const instruct = (request: Omit<Parameters<typeof pair.host.control.send>[0], 'instructionId'>): { id: string; answer: Promise<InstructionResponse> } => {
    const id = String(++next);
    const answer = new Promise<InstructionResponse>((resolve) => answers.set(id, resolve));
    pair.host.control.send({ ...request, instructionId: id });
    return { id, answer };
  };
  return { pair, outputs, instruct };
}

function registration(processorId: string, kind: string, twoInput: boolean): RegisterRequest {
  return {
    processorId,
    transforms: [{ id: 't0', name: 'op0', kind, function: { urn: 'test', payload: Buffer.from('0') }, outputType: STRING }],
    inputType: LONG,
    ...(twoInput ? { twoInput: true, input2Type: STRING } : {}),
  };
}

/** Runs one bundle of `batches` ([transform id, values]); its answer, and the values of its main output. */
async function bundle(w: ReturnType<typeof worker>, register: RegisterRequest, batches: [string, unknown[]][]) {
  const layouts = processorLayouts(register);
  const encoders: Record<string, BatchEncoder> = {
    input: new BatchEncoder(layouts.input),
    input2: new BatchEncoder(layouts.input2 ?? layouts.input),
    other: new BatchEncoder(layouts.input),
  };
  const { id, answer } = w.instruct({ processBundle: { processorId: register.processorId } });
  const data = batches.map(([transformId, values]) => ({
    instructionId: id,
    transformId,
    arrow: encoders[transformId]!.encode({ length: values.length, values, keys: null, timestamps: null }),
  }));
  w.pair.host.data.send({ data: [...data, { instructionId: id, transformId: 'input', isLast: true }] });
  const response = await answer;
  const decoder = new BatchDecoder(layouts.outputs.get('t0')!);
  const values = w.outputs
    .filter((d) => d.instructionId === id && d.transformId === 't0' && (d.arrow?.byteLength ?? 0) > 0)
    .flatMap((d) => decoder.decode(d.arrow!).values);
  return { response, values };
}

describe('the data plane of a two-input processor', () => {
  it("decodes rows tagged 'input2' with the second input's type, for the second method", async () => {
    const w = worker([{ map1: (x: bigint | number) => `long ${String(x)}`, map2: (s: string) => `string ${s}` }]);
    const register = registration('p', 'co_map', true);
    expect((await w.instruct({ register }).answer).error ?? null).toBeNull();
    const { response, values } = await bundle(w, register, [
      ['input', [1, 2]],
      ['input2', ['a']],
      ['input', [3]],
      ['input2', ['b', 'c']],
    ]);
    expect(response.error ?? null).toBeNull();
    expect(values).toEqual(['long 1', 'long 2', 'string a', 'long 3', 'string b', 'string c']);
    expect(response.processBundle?.metrics?.['t0']).toMatchObject({ elementsIn: 6, elementsOut: 6 });
  });

  it("fails the bundle of a processor with one input that is sent rows tagged 'input2', as rows under a tag it does not know", async () => {
    const w = worker([(x: number) => `long ${x}`]);
    const register = registration('q', 'map', false);
    expect((await w.instruct({ register }).answer).error ?? null).toBeNull();
    const second = await bundle(w, register, [
      ['input', [1]],
      ['input2', [2]],
    ]);
    expect(second.response.error).toMatchObject({
      name: 'ProtocolError',
      message: "processor 'q' was sent rows tagged 'input2'; it takes rows tagged 'input', 'timers'",
    });
    const unknown = await bundle(w, register, [['other', [3]]]);
    expect(unknown.response.error).toMatchObject({
      name: 'ProtocolError',
      message: "processor 'q' was sent rows tagged 'other'; it takes rows tagged 'input', 'timers'",
    });
    // The processor carries on with rows it takes.
    const after = await bundle(w, register, [['input', [4]]]);
    expect(after.response.error ?? null).toBeNull();
    expect(after.values).toEqual(['long 4']);
  });
});

describe('an embedded two-input processor', () => {
  it("normalizes the second input's rows by its own type (a FLOAT rounded to 32 bits), for the second method", async () => {
    const register: RegisterRequest = {
      processorId: 'e',
      transforms: [{ id: 't0', name: 'op0', kind: 'co_map', function: { urn: 'test', payload: Buffer.from('0') } }],
      inputType: JSON.stringify(Types.DOUBLE().descriptor),
      twoInput: true,
      input2Type: JSON.stringify(Types.FLOAT().descriptor),
    };
    const fn = { map1: (x: number) => ['double', x], map2: (x: number) => ['float', x] };
    const noState = {
      request: () => Promise.reject(new Error('no state here')),
      requestNow: () => {
        throw new Error('no state here');
      },
    };
    const processor = await createEmbeddedProcessor(register, () => Promise.resolve(fn), noState);
    processor.startBundle(-Infinity, -Infinity);
    const batch = (): { length: number; values: unknown[]; keys: null; timestamps: null } => ({ length: 1, values: [0.1], keys: null, timestamps: null });
    expect(processor.process(batch(), false)).toBeUndefined();
    expect(processor.process(batch(), false, 2)).toBeUndefined();
    expect(processor.takeOutputs().flatMap(([, rows]) => rows.values)).toEqual([
      ['double', 0.1],
      ['float', Math.fround(0.1)],
    ]);
  });
});
