import { decodeGeneric } from '../../shared/codec/generic-value.ts';

/**
 * The key of the element (or timer) the head of a keyed chain is processing. State
 * handles read the key from here at the moment of each call, so an awaited read that resumes
 * later still carries the key it was called with (the state layer captures it).
 */
export class ElementScope {
  private keyBytesValue: Uint8Array | null = null;
  private decodedKey: unknown = undefined;
  private keyDecoded = false;

  setKey(bytes: Uint8Array | null): void {
    if (bytes === this.keyBytesValue) return;
    this.keyBytesValue = bytes;
    this.keyDecoded = false;
    this.decodedKey = undefined;
  }

  /** The current key's bytes; only called by keyed operators, which always have one. */
  keyBytes(): Uint8Array {
    const bytes = this.keyBytesValue;
    if (bytes === null) throw new Error('no current key: keyed state and timers need a keyed stream (use keyBy first)');
    return bytes;
  }

  key(): unknown {
    if (!this.keyDecoded) {
      this.decodedKey = decodeGeneric(this.keyBytes());
      this.keyDecoded = true;
    }
    return this.decodedKey;
  }
}
