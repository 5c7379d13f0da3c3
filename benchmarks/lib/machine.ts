/** The machine a run measured on, as RESULTS.md records it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on a shared machine. */
  loadAverage: [number, number, number];
  /** The commit measured, with "+ local changes" when the tree differs from it. */
  commit: string;
}

export function describeMachine(repoRoot: string): Machine {
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${osName()} (${os.type()} ${os.release()}, ${os.arch()})`,
    loadAverage: [l1, l5, l15],
    commit: commitOf(repoRoot),
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall through to what Node knows.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function osName(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('PRETTY_NAME='));
    if (line !== undefined) return line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '');
  } catch {
    // No os-release: the kernel's name is all there is.
  }
  return os.type();
}

function commitOf(repoRoot: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain') === '' ? head : `${head} + local changes`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
