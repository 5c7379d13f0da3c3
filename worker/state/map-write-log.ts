/**
 * The writes made to one map (one state, one key) while an iteration of it is under way. The
 * iteration lays them over what it reads, so an entry removed before the iteration reaches it
 * is not yielded and one updated is yielded with its new value, however the writes travelled
 * (still pending, flushed, evicted).
 */
export class MapWriteLog {
  /** A clear() happened: entries not written since are gone. */
  cleared = false;
  /** Map key (bytesKey) -> the value written (null: removed) and when. */
  readonly writes = new Map<string, { value: Uint8Array | null; stamp: number }>();

  /** Whether nothing was written during the iteration. */
  get empty(): boolean {
    return !this.cleared && this.writes.size === 0;
  }

  put(mapKey: string, value: Uint8Array | null, stamp: number): void {
    this.writes.set(mapKey, { value, stamp });
  }

  clear(): void {
    this.cleared = true;
    this.writes.clear();
  }
}
