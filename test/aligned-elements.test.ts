/**
 * The Data message's gRPC encoding: the generated decoder reads back exactly what was sent, and
 * each batch's Arrow bytes start on an 8-byte boundary once the message sits, as gRPC delivers
 * it, 5 bytes into an aligned buffer.
 */
import { describe, expect, it } from 'vitest';
import { encodeAlignedElements, GRPC_MESSAGE_OFFSET } from '../shared/protocol/aligned-elements.ts';
import { fnProto, type DataBatch, type Elements } from '../shared/protocol/messages.ts';

/** The message as a receiver holds it: at `offset` of a fresh (aligned) buffer. */
function received(bytes: Uint8Array, offset = GRPC_MESSAGE_OFFSET): Elements {
  const buffer = new Uint8Array(offset + bytes.length);
  buffer.set(bytes, offset);
  return fnProto.Elements.decode(buffer.subarray(offset));
}

function arrow(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** The fields a receiver reads, as plain values. */
function plain(batch: DataBatch) {
  return {
    instructionId: batch.instructionId,
    transformId: batch.transformId,
    arrow: Array.from(batch.arrow ?? []),
    isLast: batch.isLast,
    consumed: batch.consumed,
    outputsFollow: batch.outputsFollow,
  };
}

const ARROW_LENGTHS = [1, 7, 8, 127, 128, 129, 16_383, 16_384, 70_000];

describe('encodeAlignedElements', () => {
  it('aligns the Arrow bytes of every batch, whatever the fields before them', () => {
    let checked = 0;
    for (let idLength = 0; idLength <= 17; idLength++) {
      for (const length of ARROW_LENGTHS) {
        const data: DataBatch[] = [
          { instructionId: 'b'.repeat(idLength), transformId: 'input', arrow: arrow(length, idLength), consumed: idLength },
          { instructionId: 'é'.repeat(idLength), transformId: 't', arrow: arrow(length + idLength, 3) },
          { instructionId: 'x', transformId: 'input', isLast: true },
          { instructionId: 'y', transformId: 't', consumed: 2, outputsFollow: true },
        ];
        const got = received(encodeAlignedElements({ data })).data!;
        expect(got.map(plain)).toEqual([
          { instructionId: 'b'.repeat(idLength), transformId: 'input', arrow: Array.from(arrow(length, idLength)), isLast: false, consumed: idLength, outputsFollow: false },
          { instructionId: 'é'.repeat(idLength), transformId: 't', arrow: Array.from(arrow(length + idLength, 3)), isLast: false, consumed: 0, outputsFollow: false },
          { instructionId: 'x', transformId: 'input', arrow: [], isLast: true, consumed: 0, outputsFollow: false },
          { instructionId: 'y', transformId: 't', arrow: [], isLast: false, consumed: 2, outputsFollow: true },
        ]);
        for (const batch of got.slice(0, 2)) {
          expect(batch.arrow!.byteOffset % 8).toBe(0);
          checked++;
        }
      }
    }
    expect(checked).toBe(18 * ARROW_LENGTHS.length * 2);
  });

  it('decodes to what the generated encoder would have sent', () => {
    const message: Elements = {
      data: [
        { instructionId: '12', transformId: 'stage-3', arrow: arrow(1000, 9), isLast: false, consumed: 300 },
        { instructionId: '12', transformId: 'input', isLast: true, consumed: 70_000 },
        { instructionId: '12', transformId: 'stage-3', consumed: 70_001, outputsFollow: true },
      ],
    };
    const generated = fnProto.Elements.encode(message).finish();
    const expected = fnProto.Elements.decode(generated).data!.map(plain);
    expect(received(encodeAlignedElements(message)).data!.map(plain)).toEqual(expected);
  });

  it('pads for the offset it is told the message will land at', () => {
    const message: Elements = { data: [{ instructionId: '1', transformId: 'input', arrow: arrow(64, 1) }] };
    for (let offset = 0; offset < 8; offset++) {
      const got = received(encodeAlignedElements(message, offset), offset).data![0]!;
      expect(got.arrow!.byteOffset % 8).toBe(0);
      expect(Array.from(got.arrow!)).toEqual(Array.from(arrow(64, 1)));
    }
  });

  it('writes an empty message and batches without Arrow bytes as the generated encoder does', () => {
    expect(Array.from(encodeAlignedElements({}))).toEqual([]);
    const onlyLast: Elements = { data: [{ instructionId: '5', transformId: 'input', isLast: true }] };
    expect(Array.from(encodeAlignedElements(onlyLast))).toEqual(Array.from(fnProto.Elements.encode(onlyLast).finish()));
    const ahead: Elements = { data: [{ instructionId: '5', transformId: 't', consumed: 3, outputsFollow: true }] };
    expect(Array.from(encodeAlignedElements(ahead))).toEqual(Array.from(fnProto.Elements.encode(ahead).finish()));
  });
});
