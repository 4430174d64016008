/**
 * PDS001 overlapping-partition-boundaries: two ranges of a stream reader's partitions share a
 * boundary (`current = next_time` in the loop that builds them, or the first range starting at the
 * batch's `start`, which is the previous batch's `end`, reference §2 and P1) while `read()` includes
 * both ends, or nothing shows it excludes one (decision 1: the seed's convention is that the source
 * includes both). The row on the boundary is read twice.
 *
 * The model (`model/partitions.ts`) finds the meeting ranges and how `read()` treats the bounds;
 * this rule words the finding and offers the seed's fix, `+ timedelta(microseconds=1)` (or `+ 1`)
 * on the start.
 */
import { type BoundEvidence, type FileModel, looksLikeTime, type RangeMeet } from '../model';
import type { Node } from '../syntax';
import type { Fix, RelatedLocation, TextEdit } from '../types';
import { ensureImportEdit } from './helpers';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS001',
    name: 'overlapping-partition-boundaries',
    summary: 'Partition ranges share a boundary while `read()` includes both ends, so the boundary rows are read twice',
    defaultSeverity: 'warning',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('DataSourceStreamReader')) {
      if (cls.hasSyntaxError) continue;
      for (const meet of model.partitionRanges(cls).meets) {
        const semantics = meet.read.semantics;
        if (semantics !== 'inclusive' && semantics !== 'unstated') continue;
        if (reported.has(meet.node) || meet.node.hasError || meet.construction.fn.node.hasError) continue;
        reported.add(meet.node);
        report({ node: meet.node, message: messageFor(model, meet), related: relatedFor(model, meet), fix: fixFor(model, meet) });
      }
    }
  },
);

function readClause(meet: RangeMeet): string {
  if (meet.read.semantics === 'inclusive') {
    const e = meet.read.evidence.find((x) => x.kind === 'inclusive');
    return `and \`read()\` includes both ends${e ? ` (\`${e.what}\`)` : ''}`;
  }
  return 'and nothing in `read()` excludes an end';
}

function messageFor(model: FileModel, meet: RangeMeet): string {
  if (meet.kind === 'within') {
    const assignment = meet.node.type === 'assignment' || meet.node.type === 'augmented_assignment';
    const zip = meet.node.type === 'call' && model.textOf(meet.node).startsWith('zip');
    const at = assignment
      ? `\`${short(model, meet.node)}\` starts the next partition where this one ends`
      : zip
        ? `\`${short(model, meet.node)}\` makes each partition end where the next one starts`
        : `Each partition ends at \`${short(model, meet.node)}\`, where the next one starts`;
    return `${at}, ${readClause(meet)}: rows on each boundary are read twice`;
  }
  return `The first partition starts at the batch's \`start\`, where the previous batch ended, ${readClause(meet)}: rows on the boundary are read by both batches`;
}

function short(model: FileModel, node: Node): string {
  const text = model.textOf(node).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function relatedFor(model: FileModel, meet: RangeMeet): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  out.push({ start: meet.hiNode.start, end: meet.hiNode.end, message: `the range ends at \`${short(model, meet.hiNode)}\`` });
  const shown = meet.read.evidence.filter((e: BoundEvidence) => e.source === 'code' && e.kind === (meet.read.semantics === 'inclusive' ? 'inclusive' : 'plain')).slice(0, 2);
  for (const e of shown) {
    out.push({
      start: e.node.start,
      end: e.node.end,
      message: e.kind === 'inclusive' ? `\`read()\` includes the bound here (\`${e.what}\`)` : '`read()` passes the bound on here, with nothing excluding it',
    });
  }
  return out;
}

/** Python operators that bind less tightly than `+`: such a start needs parentheses. */
function needsParentheses(node: Node): boolean {
  if (/^(identifier|attribute|call|subscript|parenthesized_expression|integer|float|string)$/.test(node.type)) return false;
  if (node.type === 'binary_operator') {
    const op = node.children.find((c) => !c.named)?.type;
    return !['+', '-', '*', '/', '//', '%', '**', '@'].includes(op ?? '');
  }
  if (node.type === 'unary_operator') return false;
  return true;
}

/** How the file can spell `timedelta`, with the import edit when one is needed. */
function timedeltaName(model: FileModel): { name: string; edit?: TextEdit } | undefined {
  const bindings = model.imports.all().filter((b) => !b.nested);
  const direct = bindings.find((b) => b.qualified === 'datetime.timedelta');
  if (direct) return { name: direct.local };
  const module = bindings.find((b) => b.qualified === 'datetime');
  if (module) return { name: `${module.local}.timedelta` };
  if (model.imports.get('timedelta') || model.functions.has('timedelta') || model.classesByName.has('timedelta') || model.moduleBindings.has('timedelta')) return undefined;
  return { name: 'timedelta', edit: ensureImportEdit(model, 'datetime', 'timedelta') };
}

/**
 * The seed's fix: the start moves past the shared boundary. Safe inside a batch for datetimes
 * (microsecond resolution) and counters; unsafe for integer epoch times (rows within the second
 * after the boundary would be skipped) and across batches (the first batch then also skips the
 * initial offset's row unless `initialOffset` subtracts the same amount, as the seed's does).
 */
function fixFor(model: FileModel, meet: RangeMeet): Fix | undefined {
  const value = meet.value;
  if (!value || value.hasError) return undefined;
  let addend: string;
  const edits: TextEdit[] = [];
  let title: string;
  if (meet.boundKind === 'datetime') {
    const td = timedeltaName(model);
    if (!td) return undefined;
    addend = `${td.name}(microseconds=1)`;
    if (td.edit) edits.push(td.edit);
    title = `Add \`${addend}\` to \`${short(model, value)}\``;
  } else if (meet.boundKind === 'int') {
    addend = '1';
    title = `Add \`1\` to \`${short(model, value)}\``;
  } else {
    return undefined;
  }
  if (needsParentheses(value)) {
    edits.push({ start: value.start, end: value.start, newText: '(' }, { start: value.end, end: value.end, newText: `) + ${addend}` });
  } else {
    edits.push({ start: value.end, end: value.end, newText: ` + ${addend}` });
  }
  const safe = meet.kind === 'within' && (meet.boundKind === 'datetime' || !looksLikeTime(meet.names));
  return { title, applicability: safe ? 'safe' : 'unsafe', edits };
}
