/**
 * readTextFile: the file's lines as strings (UTF-8; "\n" or "\r\n" endings; a byte order mark
 * at the start of the file is not part of its first line, one anywhere else is kept). Its
 * position is a byte offset, so a restart seeks instead of reading the file again from the
 * start. A line is searched for its end once and copied once, however many reads it spans.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { rows, type SourceReader } from './source-reader.ts';

const READ_SIZE = 256 * 1024;
const BOM = [0xef, 0xbb, 0xbf];

export class TextFileReader implements SourceReader {
  private file: FileHandle | null = null;
  /** The file offset of the first byte not yet returned in a line (the start of `partial`, or of `carry`). */
  private offset: number;
  /** The offset after the last chunk next() returned: a next() in progress moves `offset`. */
  private returnedOffset: number;
  /** The start of a line that earlier reads did not end, in the order read. */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** The rest of the last read, from the first byte not yet in a line or in `partial`. */
  private carry: Buffer = Buffer.alloc(0);
  private eof = false;
  private cancelled = false;
  // A BOM is dropped only at the file's start (next()), not at every line's.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

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
    if (this.file === null) {
      this.file = await open(this.path, 'r');
      if (this.offset === 0) await this.skipBom();
    }
    const lines: string[] = [];
    while (lines.length < this.chunk) {
      const nl = this.carry.indexOf(10);
      if (nl >= 0) {
        lines.push(this.line(this.carry.subarray(0, nl)));
        this.offset += nl + 1;
        this.carry = this.carry.subarray(nl + 1);
        continue;
      }
      if (this.eof) {
        if (this.partialLength + this.carry.length > 0) {
          const rest = this.carry.length;
          lines.push(this.line(this.carry, false));
          this.offset += rest;
          this.carry = Buffer.alloc(0);
        }
        break;
      }
      // No line ends in what is left: keep it, and read on.
      if (this.carry.length > 0) {
        this.partial.push(this.carry);
        this.partialLength += this.carry.length;
        this.carry = Buffer.alloc(0);
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

  /** The line made of `partial` and `end` (its "\r" dropped when it ended with "\r\n"), decoded; `partial` is emptied. */
  private line(end: Buffer, newline = true): string {
    let bytes = end;
    if (this.partialLength > 0) {
      this.partial.push(end);
      bytes = Buffer.concat(this.partial, this.partialLength + end.length);
      this.offset += this.partialLength;
      this.partial = [];
      this.partialLength = 0;
    }
    const n = newline && bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    return this.decoder.decode(bytes.subarray(0, n));
  }

  /** Skips a UTF-8 byte order mark at the start of the file. */
  private async skipBom(): Promise<void> {
    const head = Buffer.alloc(BOM.length);
    const { bytesRead } = await this.file!.read(head, 0, BOM.length, 0);
    if (bytesRead === BOM.length && BOM.every((b, i) => head[i] === b)) this.offset = BOM.length;
  }

  private async fill(): Promise<void> {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const at = this.offset + this.partialLength;
    const { bytesRead } = await this.file!.read(buffer, 0, READ_SIZE, at);
    if (bytesRead === 0) this.eof = true;
    else this.carry = buffer.subarray(0, bytesRead);
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
