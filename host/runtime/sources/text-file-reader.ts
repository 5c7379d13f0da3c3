/**
 * readTextFile: the file's lines as strings (UTF-8; "\n" or "\r\n" endings). Its position is a
 * byte offset, so a restart seeks instead of reading the file again from the start.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { rows, type SourceReader } from './source-reader.ts';

const READ_SIZE = 256 * 1024;

export class TextFileReader implements SourceReader {
  private file: FileHandle | null = null;
  private offset: number;
  /** The offset after the last chunk next() returned: a next() in progress moves `offset`. */
  private returnedOffset: number;
  /** Bytes read from the file but not yet returned as lines. */
  private carry: Buffer = Buffer.alloc(0);
  private eof = false;
  private cancelled = false;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly path: string,
    private readonly chunk: number,
    position: unknown,
  ) {
    this.offset = typeof position === 'number' ? position : 0;
    this.returnedOffset = this.offset;
  }

  async next(): Promise<RowBatch | null> {
    if (this.cancelled) return null;
    this.file ??= await open(this.path, 'r');
    const lines: string[] = [];
    while (lines.length < this.chunk) {
      const nl = this.carry.indexOf(10);
      if (nl >= 0) {
        const end = nl > 0 && this.carry[nl - 1] === 13 ? nl - 1 : nl;
        lines.push(this.decoder.decode(this.carry.subarray(0, end)));
        this.carry = this.carry.subarray(nl + 1);
        this.offset += nl + 1;
        continue;
      }
      if (this.eof) {
        if (this.carry.length > 0) {
          lines.push(this.decoder.decode(this.carry));
          this.offset += this.carry.length;
          this.carry = Buffer.alloc(0);
        }
        break;
      }
      await this.fill();
    }
    if (lines.length === 0) {
      await this.close();
      return null;
    }
    this.returnedOffset = this.offset;
    return rows(lines);
  }

  private async fill(): Promise<void> {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const at = this.offset + this.carry.length;
    const { bytesRead } = await this.file!.read(buffer, 0, READ_SIZE, at);
    if (bytesRead === 0) this.eof = true;
    else this.carry = this.carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([this.carry, buffer.subarray(0, bytesRead)]);
  }

  checkpoint(): { chunks: RowBatch[]; position: number } {
    return { chunks: [], position: this.returnedOffset };
  }

  cancel(): void {
    this.cancelled = true;
    void this.close();
  }

  private async close(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}
