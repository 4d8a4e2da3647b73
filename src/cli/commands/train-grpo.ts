/**
 * `pgtruth train <mdp.json|builtin:NAME> --algo grpo [--variant grpo|dr-grpo|rloo|all]
 * [--group G] [--beta β] [--NAME VALUE …] [--seed N] [--json] [--html FILE]`: the
 * group-relative learner of `src/algorithms/grpo.ts` on an episodic MDP (a contextual bandit,
 * a token MDP), with its exact learning curve and the exact KL to the reference policy.
 * @module
 */
import { GROUP_VARIANTS, GRPO_DEFAULTS, runGrpo, type GroupVariant } from '../../algorithms/grpo.js';
import type { CurveRecord } from '../../algorithms/curve.js';
import { fail, PgTruthError, show } from '../../errors.js';
import { num, sci } from '../../report/format.js';
import { writeGroupCurvesHtml } from '../../report/group-html.js';
import { progressBar } from '../../report/progress.js';
import { parse } from '../args.js';
import { builtinNames, intOption, loadMDP } from '../io.js';

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export const TRAIN_GRPO_HELP = `pgtruth train <mdp.json | builtin:NAME> --algo grpo [options]

Trains a tabular softmax policy from the uniform one (which is also the reference policy π_ref)
with GRPO or a variant: per update, B prompts × G responses, group-relative advantages, PPO's
clipped ratio and a k3 KL-to-reference loss term, all from pgtruth's verified estimators
(src/algorithms/grpo.ts). Every update is measured exactly: J(θ_n), the gap J* − J(θ_n), the
exact sequence-level KL(π_n‖π_ref) (on a bandit, prompt-weighted), the value of every prompt.
The MDP must be episodic with γ = 1 (builtin:bandit-contextual, builtin:token-mdp).

Options:
  --variant NAME          grpo (mean/std advantages, per-sequence mean), dr-grpo (r − mean, constant
                          N·T_max), rloo (leave-one-out mean, constant N), or all (the three side by side;
                          default grpo)
  --seed N                the seed (default 0)
  --json                  one JSON line per update (the curve record, with extra.klRef), then a summary line
  --html FILE             also write a self-contained page: J_n against J*, the exact KL to π_ref, each
                          prompt's value, the final values
  --NAME VALUE            a hyperparameter; defaults:
                          ${Object.entries(GRPO_DEFAULTS).map(([k, v]) => `--${kebab(k)} ${v}`).join(' ')}
  -h, --help              this help

Built-in MDPs: \${BUILTIN}`;

const OPTIONS = {
  algo: { type: 'string' },
  variant: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(Object.keys(GRPO_DEFAULTS).map((k) => [kebab(k), { type: 'string' }])),
} as const;

/** True when `argv` asks for `--algo grpo` (the dispatch of `pgtruth train`). */
export function wantsGroupLearner(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--algo=grpo' || (a === '--algo' && argv[i + 1] === 'grpo'));
}

/** `pgtruth train … --algo grpo`. */
export function trainGrpoCommand(argv: string[], write: (s: string) => void): number {
  const { values, positionals } = parse(argv, OPTIONS, 'train');
  if (values.help) { write(TRAIN_GRPO_HELP.replace('${BUILTIN}', builtinNames()) + '\n'); return 0; }
  if (positionals.length !== 1) fail('CLI_USAGE', `train takes one MDP (a JSON file or builtin:NAME), got ${positionals.length} arguments (see pgtruth train --algo grpo --help)`);
  const variantText = (values.variant as string | undefined) ?? 'grpo';
  if (variantText !== 'all' && !(GROUP_VARIANTS as readonly string[]).includes(variantText)) fail('CLI_USAGE', `--variant ${show(variantText)}: expected one of ${GROUP_VARIANTS.join(', ')}, all`, { where: '--variant', value: variantText });
  const variants: readonly GroupVariant[] = variantText === 'all' ? GROUP_VARIANTS : [variantText as GroupVariant];
  const seed = intOption(values.seed as string | undefined, '--seed', 0);
  const html = values.html as string | undefined;
  if (html !== undefined && html.trim() === '') fail('CLI_USAGE', '--html needs a file name', { where: '--html', value: html });
  const hyper: Record<string, number> = {};
  for (const k of Object.keys(GRPO_DEFAULTS)) {
    const text = values[kebab(k)] as string | undefined;
    if (text === undefined) continue;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) fail('CLI_USAGE', `--${kebab(k)} ${show(text)}: expected a number`, { where: `--${kebab(k)}`, value: text });
    hyper[k] = v;
  }
  const { mdp, label } = loadMDP(positionals[0]!);
  const total = (hyper['updates'] ?? GRPO_DEFAULTS.updates) * variants.length;
  const json = values.json === true;
  const bar = progressBar(process.stderr, process.stderr.isTTY === true && !json);
  const t0 = performance.now();
  const results = [];
  try {
    for (const [v, variant] of variants.entries()) {
      const onRecord = (r: CurveRecord) => {
        if (json) write(JSON.stringify({ variant, ...r }) + '\n');
        bar.update(v * (total / variants.length) + r.update, total, `${variant} J ${num(r.J, 4)} gap ${sci(r.gap)}`);
      };
      results.push(runGrpo(mdp, hyper, { seed, label, variant, onRecord }));
    }
  } catch (e) {
    bar.finish();
    if (e instanceof PgTruthError && e.code === 'LEARNER_OPTIONS') fail('CLI_USAGE', `train: ${e.message.replace(/^\[[A-Z_]+\] /, '')}`, { where: e.where === undefined ? undefined : '--' + kebab(e.where), value: e.value });
    throw e;
  }
  bar.finish();
  const wall = (performance.now() - t0) / 1000;
  const curves = results.map((r) => r.curve);
  if (html !== undefined) {
    try {
      writeGroupCurvesHtml(html, curves, { title: `${variants.join(', ')} on ${label}, seed ${seed}` });
    } catch (e) {
      fail('CLI_USAGE', `--html ${show(html)}: ${(e as Error).message.replace(/^\[[A-Z_]+\] /, '')}`, { where: '--html', value: html });
    }
  }
  for (const c of curves) {
    const last = c.records[c.records.length - 1]!, klRef = last.extra?.['klRef'] ?? NaN;
    const summary = { algo: 'grpo', variant: c.algo, mdp: label, seed, J: last.J, JStar: c.JStar, gap: last.gap, klRef, updates: last.update, samples: last.samples, wallSeconds: wall };
    if (json) write(JSON.stringify({ summary }) + '\n');
    else write(`${c.algo} on ${label}, seed ${seed}: J = ${num(last.J)}  J* = ${num(c.JStar)}  gap = ${sci(last.gap)}  KL(π‖π_ref) = ${sci(klRef)}  updates ${last.update}  tokens ${last.samples}\n`);
  }
  if (!json) write(`wall ${wall.toFixed(2)}s${html !== undefined ? `  page → ${html}` : ''}\n`);
  return 0;
}
