/**
 * Number formatting for tables: fixed width, scientific where magnitudes vary.
 * @module
 */

/** A number in scientific notation with `digits` significant digits (e.g. `3.2e-07`). */
export function sci(x: number, digits = 2): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const [m, e] = x.toExponential(digits - 1).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A number for a value table: up to `digits` significant digits, no trailing zeros, scientific when tiny or huge. */
export function num(x: number, digits = 6): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e7) return sci(x, digits);
  const s = x.toPrecision(digits);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Pads to width (left-aligned text, right-aligned when `right`). */
export function pad(s: string, w: number, right = false): string {
  const len = [...s].length;
  if (len >= w) return s;
  return right ? ' '.repeat(w - len) + s : s + ' '.repeat(w - len);
}

/** Renders rows as an aligned text table with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: readonly boolean[] = []): string {
  const widths = header.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...(r[j] ?? '')].length)));
  const line = (r: readonly string[]) => r.map((c, j) => pad(c, widths[j]!, rightAlign[j] ?? false)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  }));
}

/**
 * JSON for people and machines: objects are indented, arrays of numbers (and arrays of
 * such arrays, one row per line) stay compact; non-finite numbers are written as strings.
 */
export function toJSON(value: unknown, indent = 2): string {
  const v = plain(value);
  const flat = (x: unknown) => x === null || typeof x !== 'object';
  const render = (x: unknown, depth: number): string => {
    const padIn = ' '.repeat((depth + 1) * indent), padOut = ' '.repeat(depth * indent);
    if (flat(x)) return JSON.stringify(x);
    if (Array.isArray(x)) {
      if (x.every(flat)) return JSON.stringify(x);
      if (x.every((r) => Array.isArray(r) && r.every(flat))) return `[\n${x.map((r) => padIn + JSON.stringify(r)).join(',\n')}\n${padOut}]`;
      return `[\n${x.map((r) => padIn + render(r, depth + 1)).join(',\n')}\n${padOut}]`;
    }
    const entries = Object.entries(x as Record<string, unknown>);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, e]) => `${padIn}${JSON.stringify(k)}: ${render(e, depth + 1)}`).join(',\n')}\n${padOut}}`;
  };
  return render(v, 0);
}
