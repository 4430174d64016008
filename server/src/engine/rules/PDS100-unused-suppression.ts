/**
 * PDS100 unused-suppression: a `# noqa: PDSxxx` whose rule reports nothing on that line, or that
 * names a code pds-lint does not have. Codes of other tools in the same comment and a bare
 * `# noqa` (it may serve other tools) are left alone; a code of a rule that did not run
 * (deselected, or failed), or in a statement with a syntax error (rules stay quiet there), is
 * not judged. The fix removes the code, or the whole comment when nothing would be left (safe:
 * nothing is suppressed by it).
 */
import { type NoqaCode, removeNoqaCodeEdit } from '../noqa';
import { defineAfterSuppressionRule } from './rule';

const CODE = 'PDS100';

export default defineAfterSuppressionRule(
  {
    code: CODE,
    name: 'unused-suppression',
    summary: 'A `# noqa: PDSxxx` comment suppresses nothing, or names a rule pds-lint does not have',
    defaultSeverity: 'information',
    fixAvailability: 'always',
    since: '0.2.0',
  },
  ({ model, report, noqa, enabledCodes, knownCodes, ruleNames }) => {
    for (const directive of noqa) {
      const unused: { code: NoqaCode; known: boolean }[] = [];
      // Rules stay quiet on code with syntax errors: while it is being typed, its codes cannot be judged.
      const statement = model.root.children.find((c) => c.start <= directive.start && directive.end <= c.end);
      const broken = !!statement?.hasError;
      for (const code of directive.codes) {
        // Other tools' codes, and this rule's own (it cannot suppress itself usefully or not).
        if (!/^PDS/.test(code.code) || code.code === CODE) continue;
        const known = knownCodes.has(code.code);
        if (known && (broken || !enabledCodes.has(code.code) || directive.used.has(code.code))) continue;
        unused.push({ code, known });
      }
      const removable = unused.map((u) => u.code);
      for (const { code, known } of unused) {
        const edit = removeNoqaCodeEdit(model.text, model.lines, directive, code, removable);
        const whole = edit.end - edit.start >= directive.directiveEnd - directive.directiveStart;
        const name = ruleNames.get(code.code);
        report({
          start: code.start,
          end: code.end,
          message: known
            ? `Unused \`noqa\` code \`${code.code}\`: ${name ? `\`${name}\`` : 'the rule'} reports nothing on this line`
            : `Unknown rule code \`${code.code}\` in \`noqa\`: pds-lint has no such rule, so it suppresses nothing`,
          tags: ['unnecessary'],
          fix: {
            title: whole ? 'Remove the unused `# noqa` comment' : `Remove ${known ? 'unused' : 'unknown'} \`${code.code}\` from \`# noqa\``,
            applicability: 'safe',
            edits: [edit],
          },
        });
      }
    }
  },
);
