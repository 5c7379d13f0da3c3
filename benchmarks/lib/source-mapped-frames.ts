/**
 * Profile frames in the workers' build (host/workers/worker-build.ts) name a bundled chunk, not
 * the TypeScript the code came from; through the build's source maps they name the source again,
 * so that a worker's profile is summarised by the same files and areas as before the build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 gives them. */
  lineNumber: number;
  columnNumber?: number;
}

const BUILT = /\/\.cache\/sluice\/worker\/[^/]+\/.+\.mjs$/;

/** Maps one profile's frames; each build file's map is read once. */
export class SourceMappedFrames {
  private readonly maps = new Map<string, SourceMapConsumer | null>();

  /** `frame` as its source names it, or `frame` itself when it is not in the build. */
  original(frame: CallFrame): CallFrame {
    if (!BUILT.test(frame.url)) return frame;
    const map = this.mapOf(frame.url);
    if (map === null) return frame;
    const at = map.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber ?? 0 });
    if (at.source === null || at.line === null) return frame;
    return { ...frame, url: new URL(at.source, frame.url).href, lineNumber: at.line - 1, columnNumber: at.column ?? 0 };
  }

  private mapOf(url: string): SourceMapConsumer | null {
    let map = this.maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMapConsumer(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), 'utf8')) as RawSourceMap);
      } catch {
        map = null;
      }
      this.maps.set(url, map);
    }
    return map;
  }
}
