/**
 * Finds where a function was defined, through the V8 inspector of this thread: its script
 * (URL and executed source) and its position there. Every inspector call completes
 * synchronously, so lookups need no event-loop turn.
 *
 * Cost: the first Debugger.enable in a process takes ~40 ms (V8 collects every script), later
 * ones ~6 ms. Results are cached (functions in a WeakMap, scripts by id: V8 never reuses a
 * script id in an isolate), so the debugger is enabled only when a function lives in a script
 * not seen before, and only until the lookup pass ends.
 */
import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** 0-based position in the executed script, as V8 reports it. */
export interface FunctionLocation {
  scriptId: string;
  /** '' for code that came from eval or new Function. */
  url: string;
  line: number;
  column: number;
}

export type FunctionOrigin =
  | { kind: 'script'; location: FunctionLocation }
  | { kind: 'bound' }
  | { kind: 'native' };

/** 1-based position in the file the user wrote (after source maps), for messages. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

interface ScriptInfo {
  url: string;
  sourceMapURL: string;
}

export const PROBE = '__sluiceShippingProbe__';
export const OBJECT_GROUP = 'sluice-shipping';

const origins = new WeakMap<Function, FunctionOrigin>();
const scripts = new Map<string, ScriptInfo>();
const sources = new Map<string, string>();
const sourceMaps = new Map<string, SourceMap | null>();
/** The original (pre-compilation) text of scripts, for positions in messages. */
const originals = new Map<string, string>();

/** Everything the inspector found while the debugger was enabled, not yet asked for. */
let parsedThisPass: Map<string, ScriptInfo> | null = null;
let session: Session | null = null;
let debuggerEnabled = false;
let passDepth = 0;

/**
 * Runs `body` with lookups available; the inspector session (if one was needed) is closed
 * when the outermost pass ends. Passes nest.
 */
export function inspectionPass<T>(body: () => T): T {
  passDepth++;
  try {
    return body();
  } finally {
    passDepth--;
    if (passDepth === 0) closeSession();
  }
}

export function originOf(fn: Function): FunctionOrigin {
  let origin = origins.get(fn);
  if (origin === undefined) {
    origin = inspectionPass(() => lookUpOrigin(fn));
    origins.set(fn, origin);
  }
  return origin;
}

/** The source V8 executed for a script (after tsx / vite transforms), or null if unknown. */
export function scriptSource(scriptId: string): string | null {
  let source = sources.get(scriptId);
  if (source === undefined) {
    const found = inspectionPass(() => {
      enableDebugger();
      let text: string | null = null;
      try {
        post('Debugger.getScriptSource', { scriptId }, (result) => {
          text = (result as { scriptSource: string }).scriptSource;
        });
      } catch {
        // The script is gone (collected): what needs it treats it as unknown.
      }
      return text;
    });
    if (found === null) return null;
    source = found;
    sources.set(scriptId, source);
  }
  return source;
}

/** Maps a location to the original file through the script's source map, when it has one. */
export function originalPosition(location: FunctionLocation, isArrow: boolean): SourcePosition {
  const entry = sourceMapOf(location.scriptId) === null ? null : mappedEntry(location);
  if (entry === null) return { file: location.url, line: location.line + 1, column: location.column + 1 };
  const column = isArrow ? restoreDroppedParens(location, entry) : entry.originalColumn;
  return { file: entry.originalSource, line: entry.originalLine + 1, column: column + 1 };
}

/** A position in the file the user wrote (0-based), for source maps of shipped functions. */
export interface OriginalPosition {
  /** An absolute URL (a file: URL for a file). */
  source: string;
  line: number;
  column: number;
}

/**
 * Where a position (0-based) of a script's executed source comes from: through the script's
 * source map when it has one (null where the map has no mapping that starts exactly there),
 * else the same position in the script itself.
 */
export function originalAt(scriptId: string, line: number, column: number): OriginalPosition | null {
  const info = scriptInfo(scriptId);
  if (info === undefined || info.url === '') return null;
  const map = sourceMapOf(scriptId);
  if (map === null) return { source: info.url, line, column };
  const e = map.findEntry(line, column) as Partial<MapEntry>;
  if (e.originalSource === undefined || e.generatedLine !== line || e.generatedColumn !== column) return null;
  return { source: new URL(e.originalSource, info.url).href, line: e.originalLine!, column: e.originalColumn! };
}

/**
 * esbuild writes `(x) => …` as `x=>…`, so V8's position of an arrow maps to its parameter.
 * Parentheses that open right before the position in the original but not in the executed
 * source were dropped by the compiler: the arrow starts at the first of them.
 */
function restoreDroppedParens(location: FunctionLocation, entry: MapEntry): number {
  const executed = scriptSource(location.scriptId)?.split(/\r\n?|\n/)[location.line];
  const original = originalLine(location.scriptId, entry);
  if (executed === undefined || original === undefined) return entry.originalColumn;
  let dropped = parensBefore(original, entry.originalColumn).length - parensBefore(executed, location.column).length;
  let column = entry.originalColumn;
  for (const paren of parensBefore(original, entry.originalColumn)) {
    if (dropped-- <= 0) break;
    column = paren;
  }
  return column;
}

/** Columns of the `(` that directly precede `column` (whitespace between allowed), nearest first. */
function parensBefore(text: string, column: number): number[] {
  const found: number[] = [];
  for (let i = column - 1; i >= 0; i--) {
    if (text[i] === '(') found.push(i);
    else if (!/\s/.test(text[i]!)) break;
  }
  return found;
}

function originalLine(scriptId: string, entry: MapEntry): string | undefined {
  let text = originals.get(scriptId);
  if (text === undefined) {
    const map = sourceMapOf(scriptId) as (SourceMap & { payload: { sources?: string[]; sourcesContent?: (string | null)[] } }) | null;
    const index = map?.payload.sources?.indexOf(entry.originalSource) ?? -1;
    text = map?.payload.sourcesContent?.[index] ?? '';
    if (text === '') text = readOriginal(entry.originalSource);
    originals.set(scriptId, text);
  }
  return text.split(/\r\n?|\n/)[entry.originalLine];
}

function readOriginal(source: string): string {
  try {
    return readFileSync(source.startsWith('file:') ? fileURLToPath(source) : source, 'utf8');
  } catch {
    return '';
  }
}

interface MapEntry {
  generatedLine: number;
  generatedColumn: number;
  originalSource: string;
  originalLine: number;
  originalColumn: number;
}

/** How far ahead a mapping may start and still stand for the position (`(` before `x) =>`). */
const LOOKAHEAD = 8;

/**
 * Maps start at tokens, and a function's start (the `(` of an arrow's parameters) often has
 * none: then the next mapping on the line, moved back by the distance, is the better guess.
 */
function mappedEntry(location: FunctionLocation): MapEntry | null {
  const map = sourceMapOf(location.scriptId)!;
  const at = (column: number): MapEntry | null => {
    const e = map.findEntry(location.line, column) as Partial<MapEntry>;
    return e.originalSource === undefined || e.generatedLine !== location.line ? null : (e as MapEntry);
  };
  const exact = at(location.column);
  if (exact !== null && exact.generatedColumn === location.column) return exact;
  for (let column = location.column + 1; column <= location.column + LOOKAHEAD; column++) {
    const next = at(column);
    if (next !== null && next.generatedColumn === column) {
      return { ...next, originalColumn: Math.max(0, next.originalColumn - (column - location.column)) };
    }
  }
  return exact;
}

function lookUpOrigin(fn: Function): FunctionOrigin {
  const internals = internalPropertiesOf(fn);
  if (internals.has('[[TargetFunction]]')) return { kind: 'bound' };
  const raw = internals.get('[[FunctionLocation]]') as
    | { scriptId: string; lineNumber: number; columnNumber: number }
    | undefined;
  // Function.prototype reports a location in an internal script; its source is native code.
  if (raw === undefined || fn === Function.prototype) return { kind: 'native' };
  const info = scriptInfo(raw.scriptId);
  return {
    kind: 'script',
    location: { scriptId: raw.scriptId, url: info?.url ?? '', line: raw.lineNumber, column: raw.columnNumber },
  };
}

function internalPropertiesOf(fn: Function): Map<string, unknown> {
  const s = openSession();
  const holder = globalThis as Record<string, unknown>;
  holder[PROBE] = fn;
  const found = new Map<string, unknown>();
  try {
    let objectId: string | undefined;
    post('Runtime.evaluate', { expression: `globalThis.${PROBE}`, objectGroup: OBJECT_GROUP }, (result) => {
      objectId = (result as { result: { objectId?: string } }).result.objectId;
    });
    if (objectId === undefined) return found;
    post('Runtime.getProperties', { objectId, ownProperties: true }, (result) => {
      const props = (result as { internalProperties?: { name: string; value?: { value?: unknown } }[] })
        .internalProperties;
      for (const p of props ?? []) found.set(p.name, p.value?.value);
    });
  } finally {
    delete holder[PROBE];
    s.post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
  }
  return found;
}

function scriptInfo(scriptId: string): ScriptInfo | undefined {
  let info = scripts.get(scriptId);
  if (info === undefined) {
    enableDebugger();
    info = parsedThisPass?.get(scriptId);
    if (info !== undefined) scripts.set(scriptId, info);
  }
  return info;
}

function sourceMapOf(scriptId: string): SourceMap | null {
  let map = sourceMaps.get(scriptId);
  if (map === undefined) {
    map = null;
    const info = scriptInfo(scriptId);
    if (info !== undefined && info.sourceMapURL !== '') {
      try {
        map = new SourceMap(JSON.parse(readSourceMap(info.sourceMapURL, info.url)));
      } catch {
        map = null;
      }
    }
    sourceMaps.set(scriptId, map);
  }
  return map;
}

function readSourceMap(mapUrl: string, scriptUrl: string): string {
  const data = /^data:[^,]*?(;base64)?,(.*)$/s.exec(mapUrl);
  if (data !== null) {
    const body = data[2] ?? '';
    return data[1] ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
  }
  return readFileSync(fileURLToPath(new URL(mapUrl, scriptUrl)), 'utf8');
}

function openSession(): Session {
  if (session === null) {
    session = new Session();
    session.connect();
  }
  return session;
}

function enableDebugger(): void {
  if (debuggerEnabled) return;
  const s = openSession();
  const parsed = new Map<string, ScriptInfo>();
  s.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string; sourceMapURL?: string } }) => {
    const p = message.params;
    parsed.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? '' });
  });
  post('Debugger.enable', {}, () => {});
  parsedThisPass = parsed;
  debuggerEnabled = true;
}

function closeSession(): void {
  if (session === null) return;
  if (debuggerEnabled) session.post('Debugger.disable');
  session.disconnect();
  session = null;
  debuggerEnabled = false;
  parsedThisPass = null;
}

/** Posts a command; the inspector answers synchronously, so `onResult` has run on return. */
export function post(method: string, params: object, onResult: (result: unknown) => void): void {
  let failure: Error | null = null;
  openSession().post(method, params, (error, result) => {
    if (error) failure = error;
    else onResult(result);
  });
  if (failure !== null) throw failure;
}
