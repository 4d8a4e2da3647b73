/**
 * `npm run bench:grpo` — GRPO, Dr. GRPO and RLOO (`src/algorithms/grpo.ts`) on the built-in
 * contextual bandit and token MDP, measured on their exact learning curves (issue 15, item 5).
 *
 * 1. **Final values.** Every variant × problem × seed (1–5) with the documented defaults
 *    (100 updates of 8 prompts × 8 responses, β = 0.04, Adam 0.05): the final exact gap
 *    J* − J(θ_N), the exact sequence-level KL(π_N‖π_ref), wall time; medians over seeds, and
 *    the same with β = 0 (no KL term).
 * 2. **Hard prompts.** GRPO's std normalization reweights prompts by their success rate
 *    (claim `group.grpo-std-reweights-prompts`): w_q at the start, from the closed form
 *    `grpoPromptWeight` (0/1 rewards, G = 8). Does GRPO learn the hard prompt faster or slower?
 *    Per prompt, the fraction of its available improvement (V_n(q) − V_0(q))/(V*(q) − V_0(q))
 *    reached at n = 10, 25 and 100, median over seeds, per variant (β = 0, so the KL term does
 *    not hold the prompts back differently).
 * 3. **Ablation** on the token MDP (β = 0): GRPO's std and its 1/|o| separately (GRPO's
 *    advantages with a constant aggregation; RLOO with the per-sequence mean), V(a-rich) at
 *    n = 10, 25, 50.
 *
 * Options: `--quick` (2 seeds), `--json FILE` (every curve).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { GROUP_VARIANTS, promptKey, runGrpo, variantPieces, type GroupVariant, type VariantPieces } from '../src/algorithms/grpo.js';
import { grpoAdvantages, rlooAdvantages } from '../src/estimators/group.js';
import type { Curve } from '../src/algorithms/curve.js';
import { policyIteration } from '../src/exact/control.js';
import { evaluatePolicy } from '../src/exact/evaluate.js';
import { builtinContextualBandit, builtinTokenMDP } from '../src/mdp/library/index.js';
import type { FiniteMDP } from '../src/mdp/model.js';
import { table } from '../src/report/format.js';
import { grpoPromptWeight } from '../src/verify/claims/group.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const SEEDS = quick ? [1, 2] : [1, 2, 3, 4, 5];
const PROBLEMS: [string, FiniteMDP][] = [['bandit-contextual', builtinContextualBandit()], ['token-mdp', builtinTokenMDP()]];
const all: Curve[] = [];

const e = (x: number) => x.toExponential(2);
const f = (x: number, d = 3) => x.toFixed(d);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

interface Run { curve: Curve; wall: number }
function run(mdp: FiniteMDP, label: string, variant: GroupVariant, seed: number, hp: Record<string, number> = {}): Run {
  const t0 = performance.now();
  const r = runGrpo(mdp, hp, { seed, variant, label });
  all.push(r.curve);
  return { curve: r.curve, wall: (performance.now() - t0) / 1000 };
}
const last = (c: Curve) => c.records[c.records.length - 1]!;

// ─── 1. final values ────────────────────────────────────────────────────────────
console.log(`# 1. Final values (defaults; seeds ${SEEDS.join(', ')}; medians over seeds, [min, max])\n`);
const rows: string[][] = [];
const hardRuns = new Map<string, Run[]>();
for (const [name, mdp] of PROBLEMS) {
  for (const beta of [0.04, 0]) {
    for (const variant of GROUP_VARIANTS) {
      const rs = SEEDS.map((s) => run(mdp, name, variant, s, { beta }));
      if (beta === 0) hardRuns.set(`${name}/${variant}`, rs);
      const gaps = rs.map((r) => last(r.curve).gap), kls = rs.map((r) => last(r.curve).extra!['klRef']!), walls = rs.map((r) => r.wall);
      rows.push([name, String(beta), variant, f(rs[0]!.curve.JStar, 4), f(rs[0]!.curve.records[0]!.J, 4), `${e(median(gaps))} [${e(Math.min(...gaps))}, ${e(Math.max(...gaps))}]`, `${f(median(kls))} [${f(Math.min(...kls))}, ${f(Math.max(...kls))}]`, f(median(walls), 2)]);
    }
  }
}
console.log(table(['problem', 'β', 'variant', 'J*', 'J(π₀)', 'final gap (median [min, max])', 'KL(π_N‖π_ref)', 'wall s'], rows));

// ─── 2. hard prompts ────────────────────────────────────────────────────────────
console.log('\n# 2. Hard prompts: fraction of each prompt\'s available improvement reached (β = 0; median over seeds)\n');
const hardRows: string[][] = [];
for (const [name, mdp] of PROBLEMS) {
  const VStar = policyIteration(mdp).V, V0 = evaluatePolicy(mdp, new Float64Array(mdp.numStates * mdp.numActions).fill(1 / mdp.numActions)).V;
  const prompts = [...Array(mdp.numStates).keys()].filter((s) => mdp.initial[s]! > 0);
  for (const q of prompts) {
    const key = promptKey(mdp, q), qName = key.slice(2);
    const w = name === 'bandit-contextual' ? f(grpoPromptWeight(V0[q]!, 8)) : '—';
    const cells = GROUP_VARIANTS.map((variant) => [10, 25, 100].map((n) => f(median(hardRuns.get(`${name}/${variant}`)!.map((r) => (r.curve.records[n]!.extra![key]! - V0[q]!) / (VStar[q]! - V0[q]!))), 2)).join(' / '));
    hardRows.push([name, qName, f(V0[q]!, 4), f(VStar[q]!, 4), w, ...cells]);
  }
}
console.log(table(['problem', 'prompt', 'V₀(q)', 'V*(q)', 'GRPO w_q at π₀ (G = 8)', ...GROUP_VARIANTS.map((v) => `${v}: n = 10 / 25 / 100`)], hardRows));

// ─── 3. ablation on the token MDP: the std or the 1/|o|? ──────────────────────────
console.log('\n# 3. Token MDP ablation (β = 0): which of GRPO\'s two pieces slows the long-response prompt? V(a-rich) at n = 10 / 25 / 50, median [min, max] over seeds\n');
const token = PROBLEMS[1]![1], aRich = promptKey(token, token.numStates > 0 ? [...Array(token.numStates).keys()].filter((s) => token.initial[s]! > 0)[1]! : 0);
const ABLATION: [string, VariantPieces][] = [
  ['grpo (std, 1/|o|)', variantPieces('grpo')],
  ['grpo std, constant N', { advantages: (r, G) => grpoAdvantages(r, G), aggregation: 'constant', constant: (N) => N }],
  ['rloo, 1/|o|', { advantages: rlooAdvantages, aggregation: 'sequence-mean' }],
  ['rloo (constant N)', variantPieces('rloo')],
];
const ablationRows = ABLATION.map(([name, pieces]) => {
  const curves = SEEDS.map((seed) => runGrpo(token, { beta: 0 }, { seed, label: 'token-mdp', pieces: { ...pieces, name } }).curve);
  return [name, ...[10, 25, 50].map((n) => { const v = curves.map((c) => c.records[n]!.extra![aRich]!); return `${f(median(v))} [${f(Math.min(...v))}, ${f(Math.max(...v))}]`; })];
});
console.log(table(['advantages, aggregation', 'n = 10', 'n = 25', 'n = 50'], ablationRows));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(all));
