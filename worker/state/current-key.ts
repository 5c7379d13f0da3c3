/**
 * The key of the element (or timer) being processed, as state handles read it: where its bytes
 * are, without a Uint8Array of their own. A keyed batch's keys arrive as one column, and a state
 * hit needs only to hash and compare the key's bytes there; a view per row cost more than the
 * lookup it served.
 */
export interface CurrentKey {
  /**
   * Changes whenever the key may have changed: two calls that see the same serial are about the
   * same key, so a handle may keep what it derived from it (its cache id).
   */
  readonly serial: number;
  /**
   * The bytes the key is in: the key is `keyLength` bytes from `keyStart`. Throws when there is
   * no current key (state used outside a keyed stream). The bytes must not change while the
   * key is current.
   */
  keyData(): Uint8Array;
  readonly keyStart: number;
  readonly keyLength: number;
  /** The key's bytes as a view of their own (made once per key); copy them to keep them. */
  keyBytes(): Uint8Array;
}
