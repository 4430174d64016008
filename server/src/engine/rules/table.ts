/** The rule table of README.md, made from the registry (scripts/readme-rules.mjs writes it; a test compares). */
import { ALL_RULES } from './registry';

const FIX: Record<string, string> = { none: '', sometimes: 'yes', always: 'yes' };

export function ruleTable(): string {
  const rows = ALL_RULES.map((r) => {
    const m = r.meta;
    return `| [${m.code}](docs/rules/${m.code}.md) | ${m.name} | ${m.defaultSeverity} | ${FIX[m.fixAvailability]} | ${m.summary.replace(/\|/g, '\\|')} |`;
  });
  return ['| code | name | default | fix | finds |', '|---|---|---|---|---|', ...rows].join('\n');
}
