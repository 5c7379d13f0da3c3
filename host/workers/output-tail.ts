/**
 * Keeps the last lines a worker wrote, for its failure report, in bounded memory and size: at
 * most `maxLines` lines, each cut to `maxLineChars` (a worker that writes a 5 MB line before it
 * dies must not put it into the error). The lines it hands back for the host's log are whole up
 * to `maxLogLineChars`; a line without an end is held only up to that many characters.
 */
export interface OutputTailLimits {
  maxLines: number;
  maxLineChars: number;
  maxLogLineChars: number;
}

const DEFAULTS: OutputTailLimits = { maxLines: 40, maxLineChars: 1000, maxLogLineChars: 1 << 20 };

export class OutputTail {
  private readonly limits: OutputTailLimits;
  /** The last complete lines, oldest first, each already cut to maxLineChars. */
  private lines: string[] = [];
  /** The line being written (no newline yet), at most maxLogLineChars of it, and its full length. */
  private partial = '';
  private partialLength = 0;

  constructor(limits: Partial<OutputTailLimits> = {}) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  /** Takes a chunk of output; returns the lines it completed, for the log. */
  push(chunk: string): string[] {
    const parts = chunk.split('\n');
    const completed: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      this.append(parts[i] ?? '');
      if (i === parts.length - 1) break;
      const line = cut(this.partial, this.partialLength, this.limits.maxLogLineChars);
      completed.push(line);
      this.lines.push(cut(this.partial, this.partialLength, this.limits.maxLineChars));
      if (this.lines.length > this.limits.maxLines) this.lines.shift();
      this.partial = '';
      this.partialLength = 0;
    }
    return completed;
  }

  /** The last lines, the unfinished one included, joined by newlines. */
  text(): string {
    const last = this.partialLength === 0 ? [] : [cut(this.partial, this.partialLength, this.limits.maxLineChars)];
    return [...this.lines, ...last].slice(-this.limits.maxLines).join('\n');
  }

  private append(text: string): void {
    const room = this.limits.maxLogLineChars - this.partial.length;
    if (room > 0) this.partial += text.length > room ? text.slice(0, room) : text;
    this.partialLength += text.length;
  }
}

/** `line` (the first characters of one `length` long) cut to `limit`, saying how long it was. */
function cut(line: string, length: number, limit: number): string {
  if (length <= limit) return line;
  return `${line.slice(0, limit)}… (${length} characters)`;
}
