/**
 * Giving native memory back. tree-sitter's native trees are freed only when V8 collects their
 * small JavaScript wrappers, and V8 does not know each one holds about a megabyte of native
 * memory; without help, hundreds of parses pile up before a collection happens. The server and
 * the CLI workers therefore run a full collection every few parses and when idle.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collector: (() => void) | null | undefined;

/** A full garbage collection, enabled at run time (processes are not started with --expose-gc). */
export function garbageCollector(): (() => void) | undefined {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      collector = () => gc();
    } catch {
      collector = null;
    }
  }
  return collector ?? undefined;
}

/** Collects after every `every` parses (cheap to call on each parse). */
export class ParseBudget {
  private count = 0;
  constructor(private readonly every = 24) {}

  parsed(): void {
    if (++this.count < this.every) return;
    this.count = 0;
    garbageCollector()?.();
  }

  reset(): void {
    this.count = 0;
  }
}
