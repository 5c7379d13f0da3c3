/**
 * A two-input stage in a worker: RemoteStage encodes the second input's rows with that input's
 * layout (input2_type) and tags them `input2` on Data (proto/data.md), the first input's `input`
 * and fired timers `timers`, as before. A stage of one input has no second to send to.
 */
import { describe, expect, it } from 'vitest';
import { hostLog, setStderrLogging } from '../host/log.ts';
import { RemoteStage } from '../host/runtime/remote-stage.ts';
import { WorkerClient } from '../host/workers/worker-client.ts';
import { Types } from '../shared/api/types.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import { processorLayouts } from '../shared/protocol/layouts.ts';
import type { DataBatch, RegisterRequest } from '../shared/protocol/messages.ts';

setStderrLogging(false);

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function rows(values: unknown[], keys: unknown[]): RowBatch {
  return { length: values.length, values, keys: keys.map(encodeKey), timestamps: null };
}

/** The host's side of a stage, and what a fake worker on the other end receives on Data. */
function stageOf(register: RegisterRequest): { stage: RemoteStage; received: DataBatch[] } {
  const pair = createInMemoryPair();
  const client = new WorkerClient(pair.host, 'w1', hostLog);
  const stage = new RemoteStage(client, register, new Set(), () => undefined, new Configuration());
  const received: DataBatch[] = [];
  pair.worker.data.onMessage((elements) => received.push(...(elements.data ?? [])));
  return { stage, received };
}

const TWO_INPUT: RegisterRequest = {
  processorId: 'p',
  transforms: [{ id: 't0', kind: 'keyed_co_process' }],
  inputType: JSON.stringify(Types.LONG().descriptor),
  keyedInput: true,
  twoInput: true,
  input2Type: JSON.stringify(Types.STRING().descriptor),
};

describe('a two-input stage in a worker', () => {
  it("sends the second input's rows tagged input2, encoded with that input's type", async () => {
    const { stage, received } = stageOf(TWO_INPUT);
    stage.startBundle(-Infinity);
    // Nothing answers: what send() returns (a wait for the in-flight window) is not waited for.
    void stage.send(rows([1, 2], ['a', 'b']), 'input');
    void stage.send(rows(['x'], ['a']), 'input2');
    void stage.send({ length: 1, values: [0], keys: [encodeKey('b')], timestamps: [5] }, 'timers');
    await tick();
    expect(received.map((d) => d.transformId)).toEqual(['input', 'input2', 'timers']);
    const layouts = processorLayouts(TWO_INPUT);
    const decoded = [layouts.input, layouts.input2!, layouts.timers].map((layout, i) => new BatchDecoder(layout).decode(received[i]!.arrow!));
    expect(decoded.map((b) => b.values)).toEqual([[1, 2], ['x'], [0]]);
    expect(decoded.map((b) => b.keys?.length)).toEqual([2, 1, 1]);
    // A LONG column could not carry 'x': the second input's batch is of its own type.
    expect(() => new BatchDecoder(layouts.input).decode(received[1]!.arrow!)).toThrow(
      'Arrow batch does not match its layout: column value: expected Int64, got Utf8',
    );
  });

  it('refuses rows for a second input of a stage that has one input', () => {
    const { stage } = stageOf({ ...TWO_INPUT, twoInput: false, input2Type: '' });
    stage.startBundle(-Infinity);
    expect(() => stage.send(rows(['x'], ['a']), 'input2')).toThrow("'p' has one input: nothing can be sent to its second");
  });
});
