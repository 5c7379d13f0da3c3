/**
 * The cases: every .ts file directly under benchmarks/cases/ is one, named by its file name
 * (`cases/int64-map.ts` is the case `int64-map`). Adding a case is adding a file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CASES_DIR = new URL('../cases/', import.meta.url);

/** Case ids in the order a full run takes them (alphabetical). */
export function caseIds(): string[] {
  return readdirSync(fileURLToPath(CASES_DIR))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

export function caseModuleUrl(id: string): string {
  return new URL(`${id}.ts`, CASES_DIR).href;
}
