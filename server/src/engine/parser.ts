/**
 * The only module that loads a tree-sitter binding.
 *
 * The native N-API binding (`tree-sitter` + `tree-sitter-python`) is preferred; it is loaded with a
 * run-time `require` so bundlers leave it outside the bundle. When it cannot load (musl, an
 * unsupported architecture, an editor whose Node ABI does not match), `web-tree-sitter` with the
 * grammar's `.wasm` is used instead. Callers only see {@link PythonParser}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cpuTime } from './budget';

/** A point in the tree-sitter sense: row and column in UTF-16 code units. */
export interface TsPoint {
  row: number;
  column: number;
}

/** The cursor operations both bindings share; enough to convert a tree. */
export interface TsCursor {
  readonly nodeTypeId: number;
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly nodeIsMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly currentFieldId: number;
  readonly currentFieldName: string | null | undefined;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  /** The node under the cursor (costly: only for rare checks). */
  readonly currentNode: { readonly hasError: boolean };
  delete?(): void;
}

export interface TsNode {
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly hasError: boolean;
  readonly isMissing: boolean;
  readonly childCount: number;
  child(index: number): TsNode | null;
  walk(): TsCursor;
}

export interface TsEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: TsPoint;
  oldEndPosition: TsPoint;
  newEndPosition: TsPoint;
}

export interface TsTree {
  readonly rootNode: TsNode;
  edit(edit: TsEdit): void;
  walk(): TsCursor;
  delete?(): void;
}

export type ParserBackend = 'native' | 'wasm';

export interface ParseOptions {
  /**
   * A {@link cpuTime} after which the parse stops with a {@link ParseTimeoutError}
   * (tree-sitter's error recovery can take seconds on a megabyte of unbalanced brackets).
   */
  deadline?: number;
}

export interface PythonParser {
  readonly backend: ParserBackend;
  /** Why the native binding was not used, when it was not. */
  readonly fallbackReason?: string;
  /**
   * Parses `text`. With `oldTree` (already `edit`ed to match `text`), tree-sitter reuses the
   * unchanged parts. Throws {@link ParseError} when the parse does not finish, a
   * {@link ParseTimeoutError} when it passed `options.deadline`.
   */
  parse(text: string, oldTree?: TsTree, options?: ParseOptions): TsTree;
}

/**
 * tree-sitter-python does not end lines at a lone `\r` (classic Mac line endings), while Python
 * and LSP do. Replacing each lone `\r` by `\n` keeps every offset, so the tree stays valid for
 * the original text.
 */
export function parserText(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

export class GrammarLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrammarLoadError';
  }
}

export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}

export class ParseTimeoutError extends ParseError {
  /** `cpuMs`: CPU time the parse took before it stopped. */
  constructor(readonly cpuMs: number) {
    super(`parsing stopped after ${Math.round(cpuMs)} ms of CPU time`);
    this.name = 'ParseTimeoutError';
  }
}

/** tree-sitter's progress callback for a deadline (true stops the parse); none without one. */
function progressUntil(deadline: number | undefined): (() => boolean) | undefined {
  return deadline === undefined ? undefined : () => cpuTime() > deadline;
}

// A run-time require that bundlers do not follow, so the native binding stays external.
const runtimeRequire: NodeRequire = require;

interface NativeParserCtor {
  new (): {
    setLanguage(language: unknown): void;
    parse(input: string | ((index: number) => string | null), oldTree?: unknown, options?: { bufferSize?: number; progressCallback?: () => boolean }): TsTree | null;
    reset(): void;
  };
}

function loadNative(): PythonParser {
  const Parser = runtimeRequire('tree-sitter') as NativeParserCtor;
  const language = runtimeRequire('tree-sitter-python') as unknown;
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    backend: 'native',
    parse(text: string, oldTree?: TsTree, options?: ParseOptions): TsTree {
      // The native binding copies a string input through a fixed-size buffer; a callback that
      // hands out chunks works for any size (long single lines included).
      const normalized = parserText(text);
      const input = normalized.length < 16_384 ? normalized : chunkedInput(normalized);
      const t0 = cpuTime();
      const progressCallback = progressUntil(options?.deadline);
      const tree = parser.parse(input, oldTree ?? null, progressCallback ? { progressCallback } : undefined);
      if (!tree) {
        // A halted parse resumes on the next call unless the parser is reset.
        parser.reset();
        if (options?.deadline !== undefined && cpuTime() > options.deadline) throw new ParseTimeoutError(cpuTime() - t0);
        throw new ParseError('tree-sitter returned no tree');
      }
      return tree;
    },
  };
}

function chunkedInput(text: string): (index: number) => string | null {
  const CHUNK = 16_384;
  return (index: number) => (index < text.length ? text.slice(index, index + CHUNK) : null);
}

interface WasmModule {
  Parser: {
    init(options?: { locateFile?: (file: string, dir: string) => string }): Promise<void>;
    new (): { setLanguage(l: unknown): void; parse(text: string, oldTree?: unknown, options?: { progressCallback?: () => boolean }): TsTree | null; reset(): void };
  };
  Language: { load(input: string | Uint8Array): Promise<unknown> };
}

/** Finds a file shipped either next to the bundle (dist/) or in the package's folder in node_modules. */
function locate(fileName: string, packageName: string): string | undefined {
  const candidates = [path.join(__dirname, fileName), path.join(__dirname, 'wasm', fileName)];
  try {
    // The package's entry point, then up to its root (exports maps may hide package.json).
    let dir = path.dirname(runtimeRequire.resolve(packageName));
    for (let i = 0; i < 4; i++, dir = path.dirname(dir)) candidates.push(path.join(dir, fileName));
  } catch {
    // not installed: only the bundled copies can serve
  }
  return candidates.find((c) => fs.existsSync(c));
}

async function loadWasm(): Promise<Omit<PythonParser, 'fallbackReason'>> {
  const runtimeWasm = locate('tree-sitter.wasm', 'web-tree-sitter');
  const grammarPath = locate('tree-sitter-python.wasm', 'tree-sitter-python');
  // Check before starting the runtime: a missing file makes emscripten abort asynchronously.
  if (!runtimeWasm) throw new Error('tree-sitter.wasm (web-tree-sitter) not found');
  if (!grammarPath) throw new Error('tree-sitter-python.wasm not found');
  const mod = runtimeRequire('web-tree-sitter') as WasmModule;
  await mod.Parser.init({ locateFile: () => runtimeWasm });
  const language = await mod.Language.load(fs.readFileSync(grammarPath));
  const parser = new mod.Parser();
  parser.setLanguage(language);
  return {
    backend: 'wasm',
    parse(text: string, oldTree?: TsTree, options?: ParseOptions): TsTree {
      const t0 = cpuTime();
      const progressCallback = progressUntil(options?.deadline);
      const tree = parser.parse(parserText(text), oldTree, progressCallback ? { progressCallback } : undefined);
      if (!tree) {
        parser.reset();
        if (options?.deadline !== undefined && cpuTime() > options.deadline) throw new ParseTimeoutError(cpuTime() - t0);
        throw new ParseError('tree-sitter returned no tree');
      }
      return tree;
    },
  };
}

let cachedSync: PythonParser | undefined;

/**
 * The native parser, synchronously. Throws {@link GrammarLoadError} with an explanation when the
 * native binding cannot be loaded; use {@link loadPythonParser} to get the wasm fallback.
 */
export function loadNativePythonParser(): PythonParser {
  if (cachedSync) return cachedSync;
  try {
    cachedSync = loadNative();
    return cachedSync;
  } catch (err) {
    throw new GrammarLoadError(
      `cannot load the native tree-sitter Python grammar (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

let cachedAsync: Promise<PythonParser> | undefined;

/**
 * The parser to use: native unless it cannot load or `PDS_LINT_PARSER=wasm` asks for wasm.
 * Rejects with {@link GrammarLoadError} when neither binding loads.
 */
export function loadPythonParser(options: { backend?: ParserBackend | 'auto' } = {}): Promise<PythonParser> {
  const wanted = options.backend ?? (process.env.PDS_LINT_PARSER as ParserBackend | undefined) ?? 'auto';
  if (wanted === 'wasm') return loadWasmOnce();
  if (wanted === 'native') return Promise.resolve(loadNativePythonParser());
  if (!cachedAsync) {
    cachedAsync = (async () => {
      let nativeError: string;
      try {
        return loadNativePythonParser();
      } catch (err) {
        nativeError = (err as Error).message;
      }
      try {
        const wasm = await loadWasmOnce();
        return { ...wasm, fallbackReason: nativeError };
      } catch (err) {
        throw new GrammarLoadError(`${nativeError}; the wasm fallback failed too (${(err as Error).message})`);
      }
    })();
  }
  return cachedAsync;
}

let cachedWasm: Promise<PythonParser> | undefined;
function loadWasmOnce(): Promise<PythonParser> {
  cachedWasm ??= loadWasm().catch((err: Error) => {
    cachedWasm = undefined;
    throw new GrammarLoadError(`cannot load the wasm tree-sitter Python grammar (${err.message})`);
  });
  return cachedWasm;
}
