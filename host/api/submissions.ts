/**
 * What a job file did with its environments, so that `sluice run` can tell a file that ran no
 * job (Flink's CLI: "The program didn't contain a Flink job. Perhaps you forgot to call
 * execute() on the execution environment.") and sinks defined but never executed.
 */
interface Pending {
  pendingSinks(): number;
}

let environments: WeakRef<Pending>[] = [];
let started = 0;

export function noteEnvironment(env: Pending): void {
  if (environments.length >= 1024) environments = environments.filter((r) => r.deref() !== undefined);
  environments.push(new WeakRef(env));
}

export function noteJobStarted(): void {
  started++;
}

export function submissions(): { jobsStarted: number; pendingSinks: number } {
  let pendingSinks = 0;
  for (const ref of environments) pendingSinks += ref.deref()?.pendingSinks() ?? 0;
  return { jobsStarted: started, pendingSinks };
}
