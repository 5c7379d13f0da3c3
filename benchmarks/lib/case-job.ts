/**
 * What the tools that run one job of a case share (profile.ts, cpu-per-record.ts): their command
 * line, `<case-id> [--mode process|thread|embedded] [--records N]` plus options of their own, and
 * the case's `profileJob`.
 */
import type { BenchmarkCase } from './benchmark-case.ts';
import { caseIds, caseModuleUrl } from './case-registry.ts';
import type { ExecutionMode } from './timed-job.ts';

const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];

export interface CaseJobArgs {
  caseId: string;
  mode: ExecutionMode;
  records: number | null;
}

/**
 * Parses `argv`; `extra` handles a tool's own options, each given a function that takes the
 * option's positive-integer value. Throws with `usage` on anything else.
 */
export function parseCaseJobArgs(
  argv: readonly string[],
  usage: string,
  extra: Record<string, (count: () => number) => void> = {},
): CaseJobArgs {
  const args: CaseJobArgs = { caseId: '', mode: 'process', records: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const count = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} takes a positive integer\n${usage}`);
      return n;
    };
    if (arg === '--mode') {
      const mode = argv[++i] as ExecutionMode;
      if (!MODES.includes(mode)) throw new Error(`--mode takes one of ${MODES.join(', ')}\n${usage}`);
      args.mode = mode;
    } else if (arg === '--records') args.records = count();
    else if (Object.hasOwn(extra, arg)) extra[arg]!(count);
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}\n${usage}`);
    else args.caseId = arg;
  }
  if (!caseIds().includes(args.caseId)) throw new Error(`${usage}\nthe cases are: ${caseIds().join(', ')}`);
  return args;
}

/** The case's one job (its profileJob); throws for a case that has none. */
export async function loadCaseJob(caseId: string): Promise<NonNullable<BenchmarkCase['profileJob']>> {
  const benchmark = ((await import(caseModuleUrl(caseId))) as { default: BenchmarkCase }).default;
  const job = benchmark.profileJob;
  if (job === undefined) throw new Error(`case '${caseId}' has no profileJob: it cannot be run as one job`);
  return job.bind(benchmark);
}
