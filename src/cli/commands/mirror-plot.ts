/**
 * A small self-contained SVG plot of J(π_n) against J* for `pgtruth mirror --svg FILE`:
 * hand-written SVG 1.1, no dependency, no script, no external reference.
 *
 * @module
 */

/** What the plot shows: J at n = 0 … N, J*, and a title. */
export interface JPlot {
  readonly title: string;
  readonly J: readonly number[];
  readonly JStar: number;
}

const W = 640, H = 360, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50;

import { xmlEscape } from '../../report/svg.js';

export { xmlEscape };

/** A short number label. */
function label(x: number): string {
  const a = Math.abs(x);
  if (x === 0) return '0';
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

/** `count` evenly spaced ticks covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count + 1 }, (_, i) => lo + ((hi - lo) * i) / count);
}

/** The y-range of the plot: the data and J*, padded by 5 %; never empty. */
function yRange(p: JPlot): [number, number] {
  let lo = Math.min(p.JStar, ...p.J), hi = Math.max(p.JStar, ...p.J);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** The SVG document (a string). */
export function jPlotSVG(p: JPlot): string {
  const [y0, y1] = yRange(p);
  const nMax = Math.max(1, p.J.length - 1);
  const px = (n: number) => LEFT + ((W - LEFT - RIGHT) * n) / nMax;
  const py = (j: number) => TOP + ((H - TOP - BOTTOM) * (y1 - j)) / (y1 - y0);
  const f = (v: number) => v.toFixed(2);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<title>${xmlEscape(p.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${xmlEscape(p.title)}</text>`);
  out.push(`<g stroke="#ccc" stroke-width="1">`);
  for (const t of ticks(y0, y1, 5)) out.push(`<line x1="${LEFT}" y1="${f(py(t))}" x2="${W - RIGHT}" y2="${f(py(t))}"/>`);
  out.push(`</g>`);
  out.push(`<g fill="#333">`);
  for (const t of ticks(y0, y1, 5)) out.push(`<text x="${LEFT - 6}" y="${f(py(t) + 4)}" text-anchor="end">${xmlEscape(label(t))}</text>`);
  for (const t of ticks(0, nMax, Math.min(nMax, 10))) out.push(`<text x="${f(px(t))}" y="${H - BOTTOM + 18}" text-anchor="middle">${xmlEscape(label(Math.round(t)))}</text>`);
  out.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">iteration n</text>`);
  out.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">J(π_n)</text>`);
  out.push(`</g>`);
  out.push(`<line x1="${LEFT}" y1="${H - BOTTOM}" x2="${W - RIGHT}" y2="${H - BOTTOM}" stroke="#333"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${H - BOTTOM}" stroke="#333"/>`);
  out.push(`<line x1="${LEFT}" y1="${f(py(p.JStar))}" x2="${W - RIGHT}" y2="${f(py(p.JStar))}" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/>`);
  out.push(`<polyline fill="none" stroke="#2c6fbb" stroke-width="2" points="${p.J.map((j, n) => `${f(px(n))},${f(py(j))}`).join(' ')}"/>`);
  if (p.J.length <= 60) out.push(`<g fill="#2c6fbb">${p.J.map((j, n) => `<circle cx="${f(px(n))}" cy="${f(py(j))}" r="2.5"/>`).join('')}</g>`);
  // the legend sits bottom right, where an improving J(π_n) rarely is
  const ly = H - BOTTOM - 14;
  out.push(`<g font-size="12"><rect x="${W - 236}" y="${ly - 14}" width="212" height="24" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  out.push(`<line x1="${W - 228}" y1="${ly}" x2="${W - 204}" y2="${ly}" stroke="#2c6fbb" stroke-width="2"/><text x="${W - 198}" y="${ly + 4}">J(π_n)</text>`);
  out.push(`<line x1="${W - 140}" y1="${ly}" x2="${W - 116}" y2="${ly}" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${W - 110}" y="${ly + 4}">J* = ${xmlEscape(label(p.JStar))}</text></g>`);
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
