/**
 * The `sluice:fn:js:v1` payload as the host writes it: a JSON document (UTF-8). The format,
 * for readers in any language, is specified in proto/functions.md.
 */

export const FUNCTION_URN = 'sluice:fn:js:v1';

export interface FunctionPayload {
  /** How messages name the function: class name, function name or `<lambda at job.ts:12:5>`. */
  name: string;
  function: FunctionNode;
}

export type FunctionNode =
  /** `module`'s export `export`: a file URL, a `node:` builtin or a bare package name. */
  | { kind: 'module'; module: string; export: string }
  /** An export of Sluice's API (shared/api/index.ts). */
  | { kind: 'api'; export: string }
  /** A native function of the JavaScript globals, by its path from globalThis (`String`, `Math.abs`). */
  | { kind: 'global'; path: string }
  /** Evaluated again in the worker, with `bindings` in scope. */
  | {
      kind: 'source';
      name: string;
      source: string;
      syntax: 'expression' | 'method';
      bindings: Record<string, Binding>;
      /** Own enumerable properties of a plain function, set after it is rebuilt. */
      properties?: Record<string, EncodedValue>;
      /** Where the text's positions come from in the file the user wrote (a source map's `sources` and `mappings`). */
      map?: { sources: string[]; mappings: string };
    }
  /** An object of a class: created from the class's prototype without running its constructor. */
  | { kind: 'instance'; class: FunctionNode; fields: Record<string, EncodedValue> }
  /** A plain object holding functions. */
  | { kind: 'object'; fields: Record<string, EncodedValue>; nullPrototype?: true };

export type Binding =
  /** An API export, or '*' for the whole API namespace. */
  | { api: string }
  /**
   * A module's export; 'default', or '*' for its namespace. `from`, with a bare package name:
   * the module that imports it, which the worker resolves the name as.
   */
  | { module: string; export: string; from?: string }
  /** A helper of the TypeScript compiler (esbuild's `__name`, …), provided by the worker. */
  | { helper: string }
  /** The rebuilt function itself (a module-level function that calls itself by name). */
  | { self: true }
  /** A module-level const no import reaches, by value: as it was when the job was submitted. */
  | { value: EncodedValue };

export type EncodedNumberTag = 'NaN' | 'Infinity' | '-Infinity' | '-0';

export type EncodedValue =
  | null
  | boolean
  | string
  | number
  | EncodedValue[]
  | { $: 'number'; value: EncodedNumberTag }
  | { $: 'undefined' }
  | { $: 'bigint'; value: string }
  | { $: 'date'; value: number | { $: 'number'; value: EncodedNumberTag } }
  | { $: 'bytes'; base64: string; buffer?: true }
  | { $: 'typed-array'; type: string; base64: string }
  | { $: 'array-buffer'; base64: string }
  | { $: 'regexp'; source: string; flags: string }
  | { $: 'object'; fields: Record<string, EncodedValue>; nullPrototype?: true }
  | { $: 'map'; entries: [EncodedValue, EncodedValue][] }
  | { $: 'set'; values: EncodedValue[] }
  | { $: 'api'; export: string }
  | { $: 'api-object'; class: string; fields: Record<string, EncodedValue> }
  /** A function, or an object of a user-defined class (a function object). */
  | { $: 'function'; function: FunctionNode };
