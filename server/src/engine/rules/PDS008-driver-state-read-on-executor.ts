/**
 * PDS008 driver-state-read-on-executor: `read()` (or a writer's `write()`) reads an attribute of
 * `self` that only driver-side methods assign. Executors run on a copy of the object pickled
 * right after construction (reference §3, P7), so they see the attribute as it was then: unset
 * (AttributeError) or stale.
 */
import {
  allMethods,
  attributeWriters,
  type ClassInfo,
  classLineage,
  entryCallSites,
  executorEntryNames,
  type FileModel,
  type FunctionInfo,
  hasClassAttribute,
  hasDynamicAttributes,
  isConcreteClass,
  isWriterRole,
  methodCallClosure,
  methodSides,
} from '../model';
import { childByField, type Node, stringValue, walk } from '../syntax';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS008',
    name: 'driver-state-read-on-executor',
    summary: '`read()`/`write()` reads a `self` attribute that only driver-side methods assign',
    defaultSeverity: 'warning',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const products = model.factoryProducts;
    const reported = new Set<string>();
    let assignedElsewhere: Set<string> | undefined;
    for (const cls of model.classes) {
      const entries = executorEntryNames(cls.role);
      if (!entries.length || !isConcreteClass(cls, products) || hasDynamicAttributes(cls)) continue;
      // A broken class may have lost the `__init__` assignment this rule would miss.
      if (classLineage(cls).some((k) => k.hasSyntaxError)) continue;
      const sides = methodSides(cls);
      const methods = allMethods(cls);
      for (const entryName of entries) {
        const entry = methods.get(entryName);
        if (!entry) continue;
        const closure = methodCallClosure(cls, entry);
        const sites = entryCallSites(cls, entry);
        const writtenOnExecutor = new Set(closure.flatMap((fn) => [...fn.selfWrites.keys()]));
        const guarded = guardedAttributes(closure);
        for (const fn of closure) {
          for (const [attr, reads] of fn.selfReads) {
            if (writtenOnExecutor.has(attr) || guarded.has(attr) || methods.has(attr) || hasClassAttribute(cls, attr)) continue;
            const writers = attributeWriters(cls, attr);
            // Unassigned attributes (set from outside, or a typo) are not this rule's business.
            if (!writers.length) continue;
            // Every writer must be known to run on the driver only.
            if (writers.some((w) => !onlyOnDriver(sides.get(w)))) continue;
            assignedElsewhere ??= attributesAssignedOnOtherObjects(model);
            if (assignedElsewhere.has(attr)) continue;
            const site = fn === entry ? reads[0] : sites.get(fn);
            if (!site) continue;
            const key = `${site.start}:${attr}`;
            if (reported.has(key)) continue;
            reported.add(key);
            report({
              node: site,
              message: message(cls, entry, fn, attr, writers),
              related: writers.map((w) => {
                const b = w.selfWrites.get(attr)![0];
                return { start: b.target.start, end: b.target.end, message: `\`${attr}\` is assigned here, in \`${w.name}()\` on the driver` };
              }),
            });
          }
        }
      }
    }
  },
);

function onlyOnDriver(sides: Set<string> | undefined): boolean {
  return !!sides && sides.size > 0 && [...sides].every((s) => s === 'driver');
}

function message(cls: ClassInfo, entry: FunctionInfo, via: FunctionInfo, attr: string, writers: FunctionInfo[]): string {
  const names = [...new Set(writers.map((w) => `\`${w.name}()\``))];
  const where = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
  const reads = via === entry ? `\`${entry.name}()\` reads \`self.${attr}\`` : `\`${entry.name}()\` calls \`${via.name}()\`, which reads \`self.${attr}\``;
  if (isWriterRole(cls.role)) {
    return `${reads}, which only ${where} assign${names.length > 1 ? '' : 's'}, on the driver's own writer instance: \`${entry.name}()\` runs on executors on a copy pickled at construction and never sees it (AttributeError); set it in \`__init__\` or compute it in \`${entry.name}()\``;
  }
  return `${reads}, which only ${where} assign${names.length > 1 ? '' : 's'}, on the driver: \`${entry.name}()\` runs on executors on a copy of the reader pickled at query start, so the value is stale or missing (AttributeError); ${cls.role === 'SimpleDataSourceStreamReader' ? 'derive it from `start` and `end`' : 'pass it in the `InputPartition`'}`;
}

/** Attributes read through `hasattr(self, "x")` / `getattr(self, "x", default)`: the code expects them to be missing. */
function guardedAttributes(closure: FunctionInfo[]): Set<string> {
  const out = new Set<string>();
  for (const fn of closure) {
    for (const call of fn.calls) {
      const callee = childByField(call, 'function');
      if (callee?.type !== 'identifier' || (callee.text !== 'hasattr' && callee.text !== 'getattr')) continue;
      const args = childByField(call, 'arguments')?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
      if (args[0]?.text !== fn.selfName) continue;
      const name = stringValue(args[1]);
      if (name && (callee.text === 'hasattr' || args.length > 2)) out.add(name);
    }
  }
  return out;
}

/** Attribute names assigned on objects other than `self` anywhere in the file (`reader.window = ...`). */
function attributesAssignedOnOtherObjects(model: FileModel): Set<string> {
  const out = new Set<string>();
  walk(model.root, (n: Node) => {
    if (n.type !== 'assignment' && n.type !== 'augmented_assignment') return undefined;
    const left = childByField(n, 'left');
    const targets = left?.type === 'attribute' ? [left] : (left?.children ?? []).filter((c) => c.type === 'attribute');
    for (const t of targets) {
      const object = childByField(t, 'object');
      const attr = childByField(t, 'attribute')?.text;
      if (attr && !(object?.type === 'identifier' && object.text === 'self')) out.add(attr);
    }
    return undefined;
  });
  return out;
}
