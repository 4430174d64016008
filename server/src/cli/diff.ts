/** A unified diff of two texts (line based, 3 lines of context), for `--diff`. */

function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Longest-common-subsequence edit script over lines (Myers' O(ND) algorithm). */
function editScript(a: string[], b: string[]): ('=' | '-' | '+')[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]) ? v[max + k + 1] : v[max + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: ('=' | '-' | '+')[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[max + k - 1] < vd[max + k + 1]) ? k + 1 : k - 1;
    const prevX = vd[max + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('=');
      x--;
      y--;
    }
    if (d > 0) ops.push(x === prevX ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

export function unifiedDiff(before: string, after: string, fileName: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = editScript(a, b);
  type Line = { op: '=' | '-' | '+'; text: string; ai: number; bi: number };
  const lines: Line[] = [];
  let ai = 0;
  let bi = 0;
  for (const op of ops) {
    if (op === '=') lines.push({ op, text: a[ai], ai: ai++, bi: bi++ });
    else if (op === '-') lines.push({ op, text: a[ai], ai: ai++, bi });
    else lines.push({ op, text: b[bi], ai, bi: bi++ });
  }
  let out = `--- ${fileName}\n+++ ${fileName}\n`;
  let i = 0;
  while (i < lines.length) {
    if (lines[i].op === '=') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (;;) {
      while (end < lines.length && lines[end].op !== '=') end++;
      let next = end;
      while (next < lines.length && lines[next].op === '=' && next - end < 2 * context) next++;
      if (next < lines.length && lines[next].op !== '=' && next - end <= 2 * context) {
        end = next;
        continue;
      }
      break;
    }
    const stop = Math.min(lines.length, end + context);
    const hunk = lines.slice(start, stop);
    const aStart = hunk[0].ai;
    const bStart = hunk[0].bi;
    const aLen = hunk.filter((l) => l.op !== '+').length;
    const bLen = hunk.filter((l) => l.op !== '-').length;
    out += `@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@\n`;
    for (const l of hunk) {
      const prefix = l.op === '=' ? ' ' : l.op;
      out += prefix + l.text + (l.text.endsWith('\n') ? '' : '\n\\ No newline at end of file\n');
    }
    i = stop;
    start = stop;
  }
  return out;
}
