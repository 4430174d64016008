/**
 * Open documents and their tree-sitter trees.
 *
 * Each incremental change is applied to the text and, as a `tree.edit`, to the document's last
 * tree (offsets taken from the text before the change, as tree-sitter wants). Parsing is lazy:
 * `syntaxOf()` reparses with the edited old tree, so ten keystrokes cost one parse. Converted
 * top-level statements are reused through a per-document {@link SyntaxCache}. Trees and caches
 * are kept for the most recently used documents only; the others reparse from scratch.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { PythonParser, TsTree } from '../engine/parser';
import { SyntaxCache } from '../engine/syntax';
import type { cpuTime } from '../engine/budget';
import { ParseBudget } from '../memory';

export interface DocumentSyntax {
  tree: TsTree;
  cache: SyntaxCache;
  parseTime: number;
  /** True when the parse reused the previous tree (incremental). */
  incremental: boolean;
}

interface Entry {
  document: TextDocument;
  tree?: TsTree;
  /** The tree was edited to match the current text, but not reparsed yet. */
  stale: boolean;
  cache?: SyntaxCache;
  lastUsed: number;
}

export interface DocumentStoreOptions {
  /** How many documents keep their tree between edits. */
  retainedTrees: number;
  /** How many documents keep converted syntax between edits (the ones being typed in). */
  retainedSyntax?: number;
  /** Parse every time from scratch (for measuring what incremental parsing buys). */
  incremental: boolean;
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private readonly parses = new ParseBudget();

  constructor(
    private readonly parser: PythonParser,
    private readonly options: DocumentStoreOptions = { retainedTrees: 20, incremental: true },
  ) {}

  get(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.document;
  }

  all(): TextDocument[] {
    return [...this.entries.values()].map((e) => e.document);
  }

  get size(): number {
    return this.entries.size;
  }

  open(uri: string, languageId: string, version: number, text: string): TextDocument {
    this.close(uri);
    const document = TextDocument.create(uri, languageId, version, text);
    this.entries.set(uri, { document, stale: true, lastUsed: ++this.clock });
    return document;
  }

  close(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    entry.tree?.delete?.();
    this.entries.delete(uri);
  }

  /** Applies LSP content changes in order; returns the updated document. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): TextDocument | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    let document = entry.document;
    for (const change of Array.isArray(changes) ? changes : []) {
      // A malformed change (no text, positions that are not numbers) is not applied.
      if (typeof change?.text !== 'string') continue;
      if ('range' in change && change.range && !(isPosition(change.range.start) && isPosition(change.range.end))) continue;
      if ('range' in change && change.range) {
        // TextDocument.update applies a reversed range as if it were in order; the tree edit must
        // describe the same change (a reversed one would corrupt the incremental tree).
        let a = document.offsetAt(change.range.start);
        let b = document.offsetAt(change.range.end);
        if (a > b) [a, b] = [b, a];
        const startIndex = a;
        const oldEndIndex = b;
        const oldStart = document.positionAt(startIndex);
        const oldEnd = document.positionAt(oldEndIndex);
        const next = TextDocument.update(document, [change], version);
        const newEndIndex = startIndex + change.text.length;
        const newEnd = next.positionAt(newEndIndex);
        if (entry.tree && this.options.incremental) {
          entry.tree.edit({
            startIndex,
            oldEndIndex,
            newEndIndex,
            startPosition: { row: oldStart.line, column: oldStart.character },
            oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
            newEndPosition: { row: newEnd.line, column: newEnd.character },
          });
        } else {
          this.dropTree(entry);
        }
        document = next;
      } else {
        // A full replacement: the old tree says nothing about the new text.
        this.dropTree(entry);
        document = TextDocument.update(document, [change], version);
      }
    }
    // The client's version, even when no change could be applied.
    if (document.version !== version) document = TextDocument.update(document, [], version);
    entry.document = document;
    entry.stale = true;
    entry.lastUsed = ++this.clock;
    return document;
  }

  private dropTree(entry: Entry): void {
    entry.tree?.delete?.();
    entry.tree = undefined;
  }

  /**
   * The document's tree for its current text (reparsed incrementally when needed). Past
   * `deadline` (a {@link cpuTime}) the parse throws a ParseTimeoutError; the document
   * keeps its edited old tree and is parsed again next time.
   */
  syntaxOf(uri: string, deadline?: number): DocumentSyntax | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    entry.lastUsed = ++this.clock;
    const text = entry.document.getText();
    let incremental = false;
    const t0 = performance.now();
    if (entry.stale || !entry.tree) {
      const old = this.options.incremental ? entry.tree : undefined;
      let tree = this.parser.parse(text, old, { deadline });
      this.parses.parsed();
      incremental = !!old;
      // With syntax errors, tree-sitter's recovery can depend on the previous tree. A fresh parse
      // then keeps the promise that the same text always gives the same diagnostics.
      if (old && tree.rootNode.hasError) {
        tree.delete?.();
        tree = this.parser.parse(text, undefined, { deadline });
        incremental = false;
      }
      if (entry.tree && entry.tree !== tree) entry.tree.delete?.();
      entry.tree = tree;
      entry.stale = false;
    }
    const parseTime = performance.now() - t0;
    if (!this.options.incremental) entry.cache = undefined;
    entry.cache ??= new SyntaxCache();
    const syntax = { tree: entry.tree, cache: this.options.incremental ? entry.cache : new SyntaxCache(), parseTime, incremental };
    this.evict();
    return syntax;
  }

  /** Keeps trees and syntax caches for the most recently used documents only. */
  private evict(): void {
    const byUse = [...this.entries.values()].sort((a, b) => b.lastUsed - a.lastUsed);
    byUse.forEach((e, rank) => {
      if (rank >= (this.options.retainedSyntax ?? 2)) e.cache = undefined;
      if (rank >= this.options.retainedTrees && e.tree) {
        this.dropTree(e);
        e.stale = true;
      }
    });
  }
}

function isPosition(p: unknown): boolean {
  const q = p as { line?: unknown; character?: unknown } | null | undefined;
  return typeof q?.line === 'number' && typeof q.character === 'number' && Number.isFinite(q.line) && Number.isFinite(q.character);
}
