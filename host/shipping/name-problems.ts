/**
 * Problems with the names a function uses, gathered while its names are resolved so that
 * one message names them all, each kind with what to do about it.
 */
import { basename } from 'node:path';
import { canonicalUrl, isNeverImported, isTestFile, jobEntry } from './job-entry.ts';
import type { ModuleInfo } from './module-analysis.ts';
import { listNames, ShippingProblem } from './shipping-problem.ts';

export class NameProblems {
  readonly closures: string[] = [];
  readonly moduleLevel: string[] = [];
  /** Module-level consts whose value the inspector could not read (used before their declaration ran). */
  readonly unreadable: string[] = [];
  readonly unknown: string[] = [];
  readonly wrapper: string[] = [];
  readonly notInApi: string[] = [];
  readonly importedFromUnimportable: [string, string][] = [];

  constructor(private readonly module: ModuleInfo | null) {}

  throwIfAny(): void {
    const reasons: string[] = [];
    if (this.closures.length > 0) {
      const n = listNames(this.closures);
      const one = this.closures.length === 1;
      reasons.push(
        `closes over ${n}, ${one ? 'a local variable' : 'local variables'} of an enclosing function. Move ${n} ` +
          `into the function, pass ${one ? 'it' : 'them'} as ${one ? 'a field' : 'fields'} of a function class, ` +
          'or export the function from a module.',
      );
    }
    if (this.moduleLevel.length > 0) reasons.push(this.moduleLevelReason());
    if (this.unreadable.length > 0) {
      const n = listNames(this.unreadable);
      reasons.push(
        `uses ${n}, declared at the top level of ${basename(this.module?.url ?? '') || 'its module'}, whose value ` +
          `travels to the worker as it is when the job is submitted, but could not be read then. Declare ${n} ` +
          'before the job is executed.',
      );
    }
    for (const [name, url] of this.importedFromUnimportable) {
      reasons.push(`uses \`${name}\`, imported from ${basename(url)}, ${neverImportedWhy(url)}. Move it to another module.`);
    }
    if (this.notInApi.length > 0) {
      reasons.push(
        `uses ${listNames(this.notInApi)} from Sluice, which workers do not have: functions may use Sluice's ` +
          'user-function API (shared/api: Types, state descriptors, function base classes, OutputTag, Time, ' +
          'StateTtlConfig …).',
      );
    }
    const what = [...new Set(this.wrapper.map(wrapperName))];
    if (what.includes('import()')) {
      reasons.push(
        'uses import(), which a function rebuilt from its source does not have. Import the module at the top of ' +
          'the file instead: imports travel with the function.',
      );
    }
    const values = what.filter((w) => w !== 'import()');
    if (values.length > 0) {
      reasons.push(
        `uses ${values.join(' and ')}, which a function rebuilt from its source does not have. Compute the value ` +
          'outside and pass it as a field of a function class, or export the function from a module.',
      );
    }
    if (this.unknown.length > 0) {
      reasons.push(
        `uses ${listNames(this.unknown)}, which ${this.unknown.length === 1 ? 'is' : 'are'} neither declared in ` +
          'it, nor imported, nor a JavaScript global.',
      );
    }
    if (reasons.length > 0) throw new ShippingProblem(reasons.join(' It also '));
  }

  private moduleLevelReason(): string {
    const n = listNames(this.moduleLevel);
    const url = this.module?.url ?? '';
    const file = url === '' ? 'the script that created it' : basename(url);
    if (url.startsWith('file:') && isNeverImported(url)) {
      return (
        `uses ${n}, declared in ${file}, ${neverImportedWhy(url)}, with \`let\` or \`var\`: only a \`const\` ` +
        `(or a function or class declaration) travels to the worker, by value. Declare ${n} with \`const\`, ` +
        `move ${n} into the function, or move the function (with what it uses) to another module and export it ` +
        'from there.'
      );
    }
    return (
      `uses ${n}, declared in ${file} with \`let\` or \`var\` and not exported from it. Declare ${n} with ` +
      `\`const\` (it then travels by value), export ${n} (or the function itself) from ${file}, or move ${n} ` +
      'into the function.'
    );
  }
}

function neverImportedWhy(url: string): string {
  if (isTestFile(url)) return 'a test file, which workers never import';
  const entry = jobEntry();
  return entry !== null && canonicalUrl(url) === entry
    ? 'the job file, which workers never import (that would run the job again)'
    : 'which workers never import';
}

export function isViteNamespace(name: string): boolean {
  return name.startsWith('__vite_ssr_import_');
}

function wrapperName(name: string): string {
  if (name === '__vite_ssr_import_meta__') return 'import.meta';
  if (name === '__vite_ssr_dynamic_import__' || name === '__vite_ssr_import__') return 'import()';
  return `\`${name}\``;
}
