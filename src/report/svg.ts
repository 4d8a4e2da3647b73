/**
 * Small self-contained SVG line plots for the HTML report: hand-written SVG 1.1, no
 * dependency, no script, no external reference. Linear or log₁₀ y axis, "nice" ticks
 * (1, 2, 5 × 10^k), a legend, axis labels, horizontal reference lines (J*).
 *
 * The markup is meant to be read by tests as well as by people: the plot is
 * `<svg class="plot" data-plot=ID>`, each series a `<polyline class="series"
 * data-series=LABEL data-points=N>`, each tick a `<g class="tick tick-x|tick-y">` holding its
 * line and label, each reference line `<line class="reference">`, each legend entry
 * `<g class="legend-entry">`.
 *
 * @module
 */

/** Escapes text for SVG/XML/HTML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** One line of a plot. Points whose y is null, non-finite, or ≤ 0 on a log axis are left out. */
export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
  readonly color: string;
  /** Dashed (e.g. an estimate beside the exact curve). */
  readonly dashed?: boolean;
}

/** A horizontal reference line, e.g. J*. */
export interface Reference {
  readonly label: string;
  readonly y: number;
  readonly color: string;
}

/** What a plot shows. */
export interface PlotSpec {
  /** An identifier for the `data-plot` attribute (e.g. `J`, `kl`). */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly references?: readonly Reference[];
  /** A log₁₀ y axis. */
  readonly yLog?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** The most points drawn per series; longer series are thinned evenly (first and last kept). */
export const MAX_PLOT_POINTS = 600;

/** A colour-blind-safe palette (Okabe & Ito 2008), cycled. */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** The indices kept when thinning n points to at most `max` (evenly spaced, first and last kept). */
export function thinIndices(n: number, max = MAX_PLOT_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** The points of a series that can be drawn (finite, and > 0 on a log axis), thinned. */
export function drawablePoints(s: Series, yLog = false): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!, y = s.y[i];
    if (y === null || y === undefined || !Number.isFinite(x) || !Number.isFinite(y) || (yLog && !(y > 0))) continue;
    pts.push([x, y]);
  }
  return thinIndices(pts.length).map((i) => pts[i]!);
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  // k·step rounded to the step's own decimals (0.1 + 0.2 prints as 0.3), kept only inside [lo, hi]
  const decimals = Math.min(100, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) {
    const t = Number((k * step).toFixed(decimals));
    if (t >= lo && t <= hi) out.push(t);
  }
  return out;
}

/** A short tick label. */
export function tickLabel(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = x.toExponential(2).split('e');
    return `${Number(m)}e${e!.replace('+', '')}`;
  }
  return String(Number(x.toPrecision(4)));
}

/** The padded data range [lo, hi] of the y values (and references); never empty. */
function range(values: readonly number[], log: boolean): [number, number] {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!values.length) { lo = log ? 1e-3 : 0; hi = 1; }
  if (log) {
    let a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
    if (b <= a) { a -= 1; b += 1; }
    return [a, b];
  }
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** The SVG of a line plot (a string, an inline `<svg>` element). */
export function linePlotSVG(p: PlotSpec): string {
  const W = p.width ?? 560, H = p.height ?? 340, L = 74, R = 16, T = 34, B = 48;
  const log = p.yLog === true;
  const drawn = p.series.map((s) => ({ s, pts: drawablePoints(s, log) }));
  // the x range covers every finite x of every series, drawable or not (a gap that reaches 0 keeps its axis)
  const xs = p.series.flatMap((s) => s.x.filter((x) => Number.isFinite(x)));
  const ysRaw = [...drawn.flatMap((d) => d.pts.map(([, y]) => y)), ...(p.references ?? []).map((r) => r.y).filter((y) => Number.isFinite(y) && (!log || y > 0))];
  const [y0, y1] = range(log ? ysRaw.map((y) => y) : ysRaw, log); // for log: exponents
  let x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 1;
  if (!(x1 > x0)) x1 = x0 + 1;
  const px = (x: number) => L + ((W - L - R) * (x - x0)) / (x1 - x0);
  const yv = (y: number) => (log ? Math.log10(y) : y);
  const py = (y: number) => T + ((H - T - B) * (y1 - yv(y))) / (y1 - y0);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg class="plot" data-plot="${xmlEscape(p.id)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${xmlEscape(p.title)}">`);
  out.push(`<title>${xmlEscape(p.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text class="plot-title" x="${W / 2}" y="20" text-anchor="middle" font-size="14">${xmlEscape(p.title)}</text>`);
  // ticks with grid lines
  const decades = Math.ceil((y1 - y0) / 8); // at most about 9 labelled decades
  const yTicks = log ? Array.from({ length: Math.floor((y1 - y0) / decades) + 1 }, (_, i) => 10 ** (y0 + decades * i)) : niceTicks(y0, y1, 6);
  for (const t of yTicks) {
    const y = f(py(t));
    const text = log ? `1e${Math.round(Math.log10(t))}` : tickLabel(t);
    out.push(`<g class="tick tick-y"><line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#e3e3e3"/><text x="${L - 6}" y="${f(py(t) + 4)}" text-anchor="end" font-size="11">${xmlEscape(text)}</text></g>`);
  }
  const xIsInt = xs.every((x) => Number.isInteger(x));
  const xTicks = niceTicks(x0, x1, 6).filter((t) => !xIsInt || Number.isInteger(t));
  for (const t of xTicks) {
    const x = f(px(t));
    out.push(`<g class="tick tick-x"><line x1="${x}" y1="${H - B}" x2="${x}" y2="${H - B + 5}" stroke="#333"/><text x="${x}" y="${H - B + 18}" text-anchor="middle" font-size="11">${xmlEscape(tickLabel(t))}</text></g>`);
  }
  out.push(`<line class="axis axis-x" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`);
  out.push(`<line class="axis axis-y" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`);
  out.push(`<text class="axis-label axis-label-x" x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${xmlEscape(p.xLabel)}</text>`);
  out.push(`<text class="axis-label axis-label-y" x="16" y="${(T + H - B) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${(T + H - B) / 2})">${xmlEscape(p.yLabel)}</text>`);
  for (const r of p.references ?? []) {
    if (!Number.isFinite(r.y) || (log && !(r.y > 0))) continue;
    out.push(`<line class="reference" data-reference="${xmlEscape(r.label)}" x1="${L}" y1="${f(py(r.y))}" x2="${W - R}" y2="${f(py(r.y))}" stroke="${r.color}" stroke-dasharray="2 3" stroke-width="1.5"/>`);
  }
  for (const { s, pts } of drawn) {
    out.push(`<polyline class="series" data-series="${xmlEscape(s.label)}" data-points="${pts.length}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ')}"/>`);
  }
  // the legend below the axes (never over the data): entries flow left to right, wrapping
  const entries = [...p.series.map((s) => ({ label: s.label, color: s.color, dash: s.dashed ? '6 4' : '' })), ...(p.references ?? []).map((r) => ({ label: `${r.label} = ${tickLabel(r.y)}`, color: r.color, dash: '2 3' }))];
  const legend: string[] = [];
  let lx = L, row = 0;
  for (const e of entries) {
    const w = 34 + 6.3 * [...e.label].length;
    if (lx > L && lx + w > W - R) { lx = L; row++; }
    const ly = H + 14 + 18 * row;
    legend.push(`<g class="legend-entry"><line x1="${f(lx)}" y1="${ly - 4}" x2="${f(lx + 22)}" y2="${ly - 4}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/><text x="${f(lx + 27)}" y="${ly}" font-size="11">${xmlEscape(e.label)}</text></g>`);
    lx += w + 10;
  }
  out.push(`<g class="legend">${legend.join('')}`);
  out.push(`</g></svg>`);
  const total = H + 8 + 18 * (row + 1);
  out[0] = out[0]!.replace(`height="${H}" viewBox="0 0 ${W} ${H}"`, `height="${total}" viewBox="0 0 ${W} ${total}"`);
  out[2] = `<rect x="0" y="0" width="${W}" height="${total}" fill="#fff"/>`;
  return out.join('\n');
}
