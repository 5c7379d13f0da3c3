/** The command line of benchmarks/run.ts. */
import { caseIds } from './case-registry.ts';

export interface RunOptions {
  caseIds: string[];
  quick: boolean;
  repetitions: number;
  records: number | null;
  /** Whether to add the run to RESULTS.md (full runs do by default, --quick runs do not). */
  write: boolean;
  /** Every case with its default inputs and repetitions: what `npm run bench` runs. */
  fullSuite: boolean;
}

export const USAGE = `usage: npx tsx benchmarks/run.ts [case-id ...] [options]
       npm run bench [-- case-id ... options]

  case-id        run only these cases (default: all of them)
  --quick        small inputs, one repetition: a smoke check, not figures to quote
  --reps N       repetitions per measurement (default 5, --quick 1); medians are reported
  --records N    records per job (a throughput case: records its jobs' source holds)
  --write        add a --quick run to RESULTS.md anyway
  --no-write     do not add this run to RESULTS.md
  --list         list the cases and exit
  --help         this text`;

export class UsageError extends Error {}

/** Parses the arguments; returns null when the run is over before it starts (--help, --list). */
export function parseRunOptions(args: readonly string[], print: (text: string) => void): RunOptions | null {
  const known = caseIds();
  const ids: string[] = [];
  let quick = false;
  let repetitions: number | null = null;
  let records: number | null = null;
  let write: boolean | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): number => {
      const text = args[++i];
      const n = Number(text);
      if (text === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`${arg} takes a positive integer, got ${text ?? 'nothing'}`);
      return n;
    };
    switch (arg) {
      case '--help':
      case '-h':
        print(USAGE);
        return null;
      case '--list':
        print(known.join('\n'));
        return null;
      case '--quick':
        quick = true;
        break;
      case '--reps':
        repetitions = value();
        break;
      case '--records':
        records = value();
        break;
      case '--write':
        write = true;
        break;
      case '--no-write':
        write = false;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}\n\n${USAGE}`);
        if (!known.includes(arg)) throw new UsageError(`unknown case '${arg}'; the cases are: ${known.join(', ')}`);
        if (!ids.includes(arg)) ids.push(arg);
    }
  }
  return {
    caseIds: ids.length > 0 ? ids : known,
    fullSuite: ids.length === 0 && !quick && repetitions === null && records === null,
    quick,
    repetitions: repetitions ?? (quick ? 1 : 5),
    records,
    write: write ?? !quick,
  };
}
