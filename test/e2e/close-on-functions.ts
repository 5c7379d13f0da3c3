/**
 * Functions for the close-on-* tests (loaded by reference in the workers). Each writes a mark to
 * a file when it opens and when it closes: a worker shares no memory with the test, and a line
 * in a file cannot be lost with a worker's log. A mark names the function, the attempt and the
 * subtask: "open map a0 s1".
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { MapFunction, SinkFunction, SourceFunction, type RuntimeContext } from '../../host/index.ts';

/** The marks written to `file` so far, in order. */
export function readMarks(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '');
}

/** The marks of `name` for each of `subtasks` in attempt `attempt`: an open and a close each. */
export function openedAndClosed(name: string, subtasks: number, attempt = 0): string[] {
  const marks: string[] = [];
  for (let s = 0; s < subtasks; s++) marks.push(`open ${name} a${attempt} s${s}`, `close ${name} a${attempt} s${s}`);
  return marks;
}

/** A map that passes its values on and marks its open() and close(). */
export class MarkingMap extends MapFunction<number, number> {
  protected where = '';

  constructor(
    readonly file: string,
    readonly name: string,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.where = `${this.name} a${ctx.getAttemptNumber()} s${ctx.getIndexOfThisSubtask()}`;
    appendFileSync(this.file, `open ${this.where}\n`);
  }

  map(value: number): number {
    return value;
  }

  override close(): void {
    appendFileSync(this.file, `close ${this.where}\n`);
  }
}

/** Throws on `value` in attempt 0 (every attempt when `always`): another operator's failure for the others. */
export class FailingMap extends MarkingMap {
  private attempt = -1;

  constructor(
    file: string,
    name: string,
    readonly value: number,
    readonly always: boolean,
  ) {
    super(file, name);
  }

  override open(ctx: RuntimeContext): void {
    super.open(ctx);
    this.attempt = ctx.getAttemptNumber();
  }

  override map(value: number): number {
    if (value === this.value && (this.always || this.attempt === 0)) throw new Error(`refusing ${value} on purpose`);
    return value;
  }
}

/** Its close() marks, then throws. */
export class ThrowingCloseMap extends MarkingMap {
  override close(): void {
    super.close();
    throw new Error('close failed on purpose');
  }
}

/** Its close() marks, then never settles. */
export class NeverClosingMap extends MarkingMap {
  override close(): Promise<void> {
    super.close();
    return new Promise<void>(() => undefined);
  }
}

/** Loops for ever on its first record (process and thread mode only: it would block the host). */
export class EndlessLoopMap extends MarkingMap {
  override map(): number {
    appendFileSync(this.file, `looping ${this.where}\n`);
    for (;;) {
      // Nothing: a function stuck in synchronous code, which only killing its worker ends.
    }
  }
}

/**
 * Emits 0, 1, … up to `count` (Infinity: for ever), once `waitFor` has marked its opening in
 * this attempt `opens` times, so that the job runs with every instance of it open. Marks its
 * own open() and close() as "source".
 */
export class WaitingSource extends SourceFunction<number> {
  private where = '';
  private attempt = -1;
  private running = true;

  constructor(
    readonly file: string,
    readonly waitFor: string,
    readonly opens: number,
    readonly count: number,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
    this.where = `source a${this.attempt} s${ctx.getIndexOfThisSubtask()}`;
    appendFileSync(this.file, `open ${this.where}\n`);
  }

  async *run(): AsyncGenerator<number> {
    const prefix = `open ${this.waitFor} a${this.attempt} `;
    while (this.running && readMarks(this.file).filter((m) => m.startsWith(prefix)).length < this.opens) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let i = 0; this.running && i < this.count; i++) yield i;
  }

  override cancel(): void {
    this.running = false;
  }

  override close(): void {
    appendFileSync(this.file, `close ${this.where}\n`);
  }
}

/**
 * Marks its open() and close() as "sink": open() with what its runtime context says. Sinks run
 * in the host on this one object, whatever the parallelism: each instance opens and closes it.
 */
export class MarkingSink extends SinkFunction<number> {
  constructor(
    readonly file: string,
    private readonly onRecord: (value: number) => void = () => undefined,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    appendFileSync(this.file, `open sink a${ctx.getAttemptNumber()} s${ctx.getIndexOfThisSubtask()}\n`);
  }

  invoke(value: number): void {
    this.onRecord(value);
  }

  override close(): void {
    appendFileSync(this.file, 'close sink\n');
  }
}

/** A map whose open() marks itself and then throws. */
export class FailsToOpen extends MarkingMap {
  override open(ctx: RuntimeContext): void {
    super.open(ctx);
    throw new Error('cannot open on purpose');
  }
}
