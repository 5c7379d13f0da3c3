import { KeyColumn } from '../../shared/codec/key-column.ts';
import type { RowKeys } from '../../shared/codec/batch-layout.ts';
import { decodeGeneric } from '../../shared/codec/generic-value.ts';
import type { CurrentKey } from '../state/current-key.ts';

/**
 * The key of the element (or timer) the head of a keyed chain is processing. State
 * handles read the key from here at the moment of each call. A row of a received batch's key
 * column is kept as where its bytes are (the column's data, offset, length): a view, or the
 * decoded key, is made only when something asks for it.
 *
 * Invariant: `noKeyReason` is null unless there is no current key (`data` null), and says why
 * when the reason is not a missing keyBy (clearKey: a broadcast element has no key, even on a
 * keyed stream, and must not act on the key of the element before it).
 */
export class ElementScope implements CurrentKey {
  serial = 0;
  private data: Uint8Array | null = null;
  private noKeyReason: string | null = null;
  keyStart = 0;
  keyLength = 0;
  private view: Uint8Array | null = null;
  private decodedKey: unknown = undefined;
  private keyDecoded = false;

  /** Row `index` of `keys` is the current key. */
  setRow(keys: RowKeys, index: number): void {
    if (!(keys instanceof KeyColumn)) return this.setKey(keys.at(index) ?? null);
    const offsets = keys.offsets;
    const start = offsets[index]!;
    // Stored only when it changes (once a batch): data is young and the scope old, and every
    // such store is a call into the garbage collector's write barrier.
    const data = keys.data;
    if (this.data !== data) {
      this.data = data;
      this.noKeyReason = null;
    }
    this.keyStart = start;
    this.keyLength = offsets[index + 1]! - start;
    this.changed(null);
  }

  /** `bytes` are the current key (null: none); they must not change while it is current. */
  setKey(bytes: Uint8Array | null): void {
    if (bytes !== null && bytes === this.view) return;
    this.data = bytes;
    this.noKeyReason = null;
    this.keyStart = 0;
    this.keyLength = bytes?.length ?? 0;
    this.changed(bytes);
  }

  /** No current key until the next row or key is set: keyed state and timers used meanwhile throw `reason`. */
  clearKey(reason: string): void {
    this.setKey(null);
    this.noKeyReason = reason;
  }

  keyData(): Uint8Array {
    const data = this.data;
    if (data === null) throw new Error(this.noKeyReason ?? 'no current key: keyed state and timers need a keyed stream (use keyBy first)');
    return data;
  }

  /** The current key's bytes; only called by keyed operators, which always have one. */
  keyBytes(): Uint8Array {
    if (this.view !== null) return this.view;
    const data = this.keyData();
    return (this.view = new Uint8Array(data.buffer, data.byteOffset + this.keyStart, this.keyLength));
  }

  key(): unknown {
    if (!this.keyDecoded) {
      this.decodedKey = decodeGeneric(this.keyBytes());
      this.keyDecoded = true;
    }
    return this.decodedKey;
  }

  private changed(view: Uint8Array | null): void {
    this.serial++;
    this.view = view;
    this.keyDecoded = false;
    this.decodedKey = undefined;
  }
}
