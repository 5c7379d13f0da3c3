/** The worker thread of thread-hop-bench.ts: decodes each one-row batch, encodes its row back. */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchDecoder } from '../../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../../shared/codec/batch-layout.ts';
import type { Elements } from '../../shared/protocol/messages.ts';

const port = parentPort!;
const layout = (workerData as { layout: BatchLayout }).layout;
const decoder = new BatchDecoder(layout);
const encoder = new BatchEncoder(layout);
port.on('message', (message: number | Elements) => {
  if (typeof message === 'number') {
    port.postMessage(message);
    return;
  }
  const input = message.data![0]!;
  const rows = decoder.decode(input.arrow!);
  const arrow = encoder.encode({ length: rows.length, values: [rows.values[0]], keys: null, timestamps: null });
  port.postMessage({ data: [{ instructionId: input.instructionId, transformId: 'out', arrow, consumed: 1 }] }, [arrow.buffer as ArrayBuffer]);
});
port.postMessage('ready');
