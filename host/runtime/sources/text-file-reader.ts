/**
 * A text file's lines as strings (UTF-8; a byte order mark at the start of the file is not part
 * of its first line, one anywhere else is kept), their ends as Flink's two text formats have them:
 *
 *   'lf'   readTextFile, as Flink's TextInputFormat (what PyFlink's read_text_file reads with):
 *          a line ends at "\n", and a "\r" that ends a line is dropped ("\r\n"; also before the
 *          end of the file); a lone "\r" elsewhere is part of the line
 *   'any'  a FileSource's textLineFormat, as Flink's TextLineInputFormat (Java's
 *          BufferedReader.readLine()): a line ends at "\n", "\r\n" or a lone "\r"
 *
 * Its position is a byte offset, so a restart seeks instead of reading the file again from the
 * start. A line is searched for its end once and copied once, however many reads it spans.
 *
 * 'any': a "\r" is a line end whatever follows it; only whether the next byte is the "\n" of the same
 * "\r\n" depends on it. When the "\r" is the last byte of a read, that is known after the next
 * read (`skipLF`), so a chunk, and the position a checkpoint stores, can end between the two
 * bytes. A reader started at an offset right after a "\r" therefore skips a "\n" there: it is
 * the end of the line before the offset.
 *
 * A read that fails while the job runs (EIO, a file deleted before it was opened) is a
 * SourceIOError naming the source and the file (source-io-failure.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { sourceIOFailure } from './source-io-failure.ts';
import { rows, type SourceReader } from './source-reader.ts';

const READ_SIZE = 256 * 1024;
const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;

/** Which bytes end a line: see the header. */
export type LineEnds = 'lf' | 'any';

export class TextFileReader implements SourceReader {
  private file: FileHandle | null = null;
  /** The file offset of the first byte not yet returned in a line (the start of `partial`, or of `carry`). */
  private offset: number;
  /** The offset after the last chunk next() returned: a next() in progress moves `offset`. */
  private returnedOffset: number;
  /** The start of a line that earlier reads did not end, in the order read (no "\r" or "\n" in it). */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** The rest of the last read, from the first byte not yet in a line or in `partial`. */
  private carry: Buffer = Buffer.alloc(0);
  /**
   * Where the next "\n" and the next "\r" are in `carry`: Infinity when it holds none, negative
   * when not known (a new read, or the one found was passed). Each is searched for again only
   * once passed, so a read is scanned once however many lines it holds, also in a file whose
   * lines all end the other way.
   */
  private nextLF = -1;
  private nextCR = -1;
  /** The last line ended at a "\r" that was the last byte read: a "\n" read next belongs to that line end. */
  private skipLF = false;
  private eof = false;
  private cancelled = false;
  // A BOM is dropped only at the file's start (next()), not at every line's.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(
    private readonly path: string,
    private readonly chunk: number,
    position: unknown,
    /** The source's name, for its errors. */
    private readonly source: string,
    /** Bytes per read of the file (a test's small size puts read boundaries where it wants them). */
    private readonly readSize = READ_SIZE,
    private readonly lineEnds: LineEnds = 'lf',
  ) {
    this.offset = typeof position === 'number' ? position : 0;
    this.returnedOffset = this.offset;
  }

  async next(): Promise<RowBatch | null> {
    if (this.cancelled) return null;
    try {
      return await this.readLines();
    } catch (error) {
      await this.close().catch(() => undefined);
      // A read that cancel() cut short (closing the file under it) is no failure.
      if (this.cancelled) return null;
      throw sourceIOFailure(this.source, this.path, error);
    }
  }

  private async readLines(): Promise<RowBatch | null> {
    if (this.file === null) {
      await this.open();
      if (this.cancelled) {
        await this.close();
        return null;
      }
    }
    const lines: string[] = [];
    while (lines.length < this.chunk) {
      if (this.skipLF && this.carry.length > 0) {
        this.skipLF = false;
        if (this.carry[0] === LF) {
          this.consume(1);
          continue;
        }
      }
      const end = this.lineEnd();
      if (end < this.carry.length) {
        lines.push(this.line(this.carry.subarray(0, end)));
        let ending = 1;
        if (this.carry[end] === CR) {
          if (end + 1 === this.carry.length) this.skipLF = true;
          else if (this.carry[end + 1] === LF) ending = 2;
        }
        this.consume(end + ending);
        continue;
      }
      if (this.eof) {
        // The last line, ended by the file's end.
        if (this.partialLength + this.carry.length > 0) {
          lines.push(this.line(this.carry));
          this.consume(this.carry.length);
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

  /** Opens the file; at its start, skips a UTF-8 byte order mark; elsewhere, looks whether the byte before is a "\r". */
  private async open(): Promise<void> {
    this.file = await open(this.path, 'r');
    if (this.offset === 0) {
      const head = await this.bytesAt(0, BOM.length);
      if (head.length === BOM.length && BOM.every((b, i) => head[i] === b)) this.offset = BOM.length;
    } else if (this.lineEnds === 'any') {
      this.skipLF = (await this.bytesAt(this.offset - 1, 1))[0] === CR;
    }
  }

  private async bytesAt(position: number, length: number): Promise<Buffer> {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await this.file!.read(bytes, 0, length, position);
    return bytes.subarray(0, bytesRead);
  }

  /** Where the first line end in `carry` is (its "\r" or "\n"); `carry.length` or more when there is none. */
  private lineEnd(): number {
    if (this.nextLF < 0) this.nextLF = found(this.carry.indexOf(LF));
    if (this.lineEnds === 'lf') return this.nextLF;
    if (this.nextCR < 0) this.nextCR = found(this.carry.indexOf(CR));
    return Math.min(this.nextLF, this.nextCR);
  }

  /** `n` bytes of `carry` are in lines now (with their line end). */
  private consume(n: number): void {
    this.offset += n;
    this.carry = this.carry.subarray(n);
    this.nextLF -= n;
    this.nextCR -= n;
  }

  /** The line made of `partial` and `end` (without its line end), decoded; `partial` is emptied. */
  private line(end: Buffer): string {
    let bytes = end;
    if (this.partialLength > 0) {
      this.partial.push(end);
      bytes = Buffer.concat(this.partial, this.partialLength + end.length);
      this.offset += this.partialLength;
      this.partial = [];
      this.partialLength = 0;
    }
    // 'lf': the "\r" of a "\r\n" (or of a "\r" ending the file) is no part of the line.
    if (this.lineEnds === 'lf' && bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    return this.decoder.decode(bytes);
  }

  private async fill(): Promise<void> {
    const buffer = Buffer.allocUnsafe(this.readSize);
    const at = this.offset + this.partialLength;
    const { bytesRead } = await this.file!.read(buffer, 0, this.readSize, at);
    if (bytesRead === 0) {
      this.eof = true;
    } else {
      this.carry = buffer.subarray(0, bytesRead);
      this.nextLF = -1;
      this.nextCR = -1;
    }
  }

  checkpoint(): { chunks: RowBatch[]; position: number } {
    return { chunks: [], position: this.returnedOffset };
  }

  cancel(): void {
    this.cancelled = true;
    void this.close().catch(() => undefined);
  }

  private async close(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}

/** An indexOf's result: Infinity for none. */
function found(index: number): number {
  return index < 0 ? Infinity : index;
}
