/**
 * Errors with stable names that survive the process boundary. A failure crosses the wire as
 * {name, message, stack, operator, function, record} (proto Error) and is rebuilt on the
 * other side into the class its name stands for, the remote stack kept.
 */

export class SluiceError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/** A configuration value was refused before the job started. */
export class ConfigError extends SluiceError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** The job cannot be built or run as written (a wrong API call, an impossible graph). */
export class JobDefinitionError extends SluiceError {}

/** A user function cannot be sent to a worker; raised before any data flows. */
export class UnshippableFunctionError extends SluiceError {
  constructor(
    readonly functionName: string,
    message: string,
  ) {
    super(message);
  }
}

export interface UserFunctionErrorDetails {
  operator: string;
  /** The id of the operator's transform (its uid or number); empty when not known. */
  transform?: string;
  functionName: string;
  /** A rendering of the record being processed, if any. */
  record: string;
  /** The stack as the worker saw it. */
  workerStack: string;
  /** The original error's name and message. */
  causeName: string;
  causeMessage: string;
  workerId?: string;
}

/**
 * A function returned a value its output type cannot carry (`map(fn, Types.LONG())` returning
 * a string; without a declared type, a value the generic encoding does not take): found where
 * the output leaves its stage, reported as a failure of that function.
 */
export class OutputTypeError extends SluiceError {
  constructor(message: string) {
    super(message);
    // Where the runtime found it says nothing to the user: the message is the whole story.
    this.stack = `${this.name}: ${message}`;
  }
}

/** A record a source was given does not fit the type given with it (`fromCollection(['a'], Types.LONG())`). */
export class InputTypeError extends SluiceError {}

/** A user function threw. Carries the operator, the function, the worker's stack and the record. */
export class UserFunctionError extends SluiceError {
  readonly operator: string;
  /** The id of the operator's transform (its uid or number): names need not be unique. */
  readonly transform: string;
  readonly functionName: string;
  readonly record: string;
  readonly workerStack: string;
  readonly causeName: string;
  readonly causeMessage: string;
  readonly workerId: string | undefined;

  constructor(details: UserFunctionErrorDetails) {
    const where = details.workerId === undefined ? '' : ` in worker ${details.workerId}`;
    const record = details.record === '' ? '' : `\n  record: ${details.record}`;
    const what = details.causeName === OutputTypeError.name ? 'returned a value its output type cannot carry' : 'threw';
    // A function run by the host (embedded mode, a source or sink function) has a plain stack.
    const label = details.workerId === undefined ? 'stack' : 'worker stack';
    const stack = details.workerStack.includes('\n') ? `\n  ${label}:\n${indent(details.workerStack)}` : '';
    super(
      `operator '${details.operator}': function ${details.functionName} ${what}${where}: ` +
        `${details.causeName}: ${details.causeMessage}${record}${stack}`,
    );
    this.operator = details.operator;
    this.transform = details.transform ?? '';
    this.functionName = details.functionName;
    this.record = details.record;
    this.workerStack = details.workerStack;
    this.causeName = details.causeName;
    this.causeMessage = details.causeMessage;
    this.workerId = details.workerId;
  }
}

export type WorkerFailureKind = 'crashed' | 'killed' | 'memory-limit' | 'hung' | 'startup-failed' | 'lost';

export interface WorkerFailureDetails {
  kind: WorkerFailureKind;
  workerId: string;
  /** The operators the worker ran. */
  operator: string;
  exitCode?: number | null;
  signal?: string | null;
  /** The last lines the worker wrote to stderr (process mode) or its error (thread mode). */
  stderrTail?: string;
  /** What the worker was doing when it failed, e.g. "processing bundle 12". */
  activity?: string;
  detail?: string;
}

/** A worker died, was killed, ran out of memory, hung, or failed to start. */
export class WorkerFailureError extends SluiceError {
  readonly kind: WorkerFailureKind;
  readonly workerId: string;
  readonly operator: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  readonly activity: string;

  constructor(details: WorkerFailureDetails) {
    super(describeWorkerFailure(details));
    this.kind = details.kind;
    this.workerId = details.workerId;
    this.operator = details.operator;
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.stderrTail = details.stderrTail ?? '';
    this.activity = details.activity ?? '';
  }
}

function describeWorkerFailure(d: WorkerFailureDetails): string {
  const who = `worker ${d.workerId} (operator '${d.operator}')`;
  let what: string;
  switch (d.kind) {
    case 'killed':
      what = `was killed by signal ${d.signal ?? 'unknown'}`;
      break;
    case 'crashed':
      what = `crashed with exit code ${d.exitCode ?? 'unknown'}`;
      break;
    case 'memory-limit':
      what = 'exceeded its memory limit (udf.worker.memory-limit)';
      break;
    case 'hung':
      what = 'hung: it did not answer a heartbeat within udf.worker.heartbeat-timeout';
      break;
    case 'startup-failed':
      what = 'failed during start-up';
      break;
    case 'lost':
      what = 'lost its connection to the host';
      break;
  }
  const parts = [`${who} ${what}`];
  if (d.detail) parts.push(d.detail);
  if (d.activity) parts.push(`while ${d.activity}`);
  let message = parts.join('; ');
  if (d.stderrTail) message += `\n  last output of the worker:\n${indent(d.stderrTail)}`;
  return message;
}

/** A peer broke the protocol (malformed message, unknown id, a key it does not own). */
export class ProtocolError extends SluiceError {}

/** A state request was refused or failed. */
export class StateAccessError extends SluiceError {}

/** The job was cancelled (JobClient.cancel, SIGINT/SIGTERM). */
export class JobCancelledError extends SluiceError {}

/** A checkpoint could not be taken or restored. */
export class CheckpointError extends SluiceError {}

/**
 * A system call that failed, as Node reports it: an errno code (EIO, ENOSPC, ENOENT, …), the
 * call, and the path it was given when it took one (open, rename, stat; not read, write, fsync).
 */
export interface SystemError extends Error {
  readonly code: string;
  readonly syscall: string;
  readonly path?: string;
  readonly dest?: string;
}

/** How deep systemErrorIn looks through wrappers' causes. */
const CAUSE_DEPTH = 4;

/**
 * The system error `thrown` is, or the one it wraps (as its `cause`: a reader or writer that
 * added what it was doing); null if there is none. Sluice's own errors never count: a
 * UserFunctionError stays the function's failure, whatever its function's own call threw.
 */
export function systemErrorIn(thrown: unknown): SystemError | null {
  let error = thrown;
  for (let depth = 0; depth <= CAUSE_DEPTH && error instanceof Error && !(error instanceof SluiceError); depth++) {
    const { code, syscall } = error as Partial<SystemError>;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string') return error as SystemError;
    error = error.cause;
  }
  return null;
}

/**
 * A source's file could not be read while the job ran (EIO, a file deleted or made unreadable
 * after the job started, too many open files): the job restarts as its restart strategy says,
 * from the last checkpoint, as Flink fails over a task whose read failed. (A path that is missing
 * when the job is submitted fails it at once, as a JobDefinitionError.)
 */
export class SourceIOError extends SluiceError {
  /** The errno code: EIO, ENOENT, EMFILE, … */
  readonly code: string;
  readonly syscall: string;

  constructor(
    /** The source's name. */
    readonly operator: string,
    /** The file or directory it was reading. */
    readonly path: string,
    cause: SystemError,
    /** What the user should know besides the system's message, if anything. */
    detail = '',
  ) {
    super(`source '${operator}' failed reading ${path}: ${cause.message}${detail === '' ? '' : `; ${detail}`}`, { cause });
    this.code = cause.code;
    this.syscall = cause.syscall;
  }
}

/**
 * A sink's output could not be written, synced, renamed or deleted while the job ran (ENOSPC,
 * EDQUOT, EIO, …): the job restarts as its restart strategy says, from the last checkpoint, and
 * the sink's uncommitted output is dropped, so nothing reaches the output twice. (A sink directory
 * that cannot be written when the job is submitted fails it at once, as a JobDefinitionError.)
 */
export class SinkIOError extends SluiceError {
  /** The errno code: ENOSPC, EDQUOT, EIO, … */
  readonly code: string;
  readonly syscall: string;
  /** The file the failed call named; null for a call on an open file (write, fsync), which names none. */
  readonly path: string | null;

  constructor(
    /** The sink's name; empty when not known. */
    readonly operator: string,
    cause: SystemError,
    /** What the writer said it was doing, when it wrapped the system's error in its own. */
    context = '',
  ) {
    const who = operator === '' ? 'a sink' : `sink '${operator}'`;
    const path = cause.path ?? null;
    super(`${who} failed writing${path === null ? '' : ` ${path}`}: ${cause.message}${context === '' ? '' : ` (${context})`}`, { cause });
    this.code = cause.code;
    this.syscall = cause.syscall;
    this.path = path;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
