/**
 * `pgtruth train <mdp.json|builtin:NAME> --algo reinforce|a2c|trpo|ppo|vmpo [--name value …]
 * [--seed N] [--json] [--out policy.json] [--html FILE]`: runs a learner of `src/algorithms/` on a tabular MDP
 * and prints its exact learning curve.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fail, PgTruthError, show } from '../../errors.js';
import { LEARNERS, learner, mlpStatePolicy, samplingPolicy } from '../../algorithms/index.js';
import type { FiniteMDP } from '../../mdp/model.js';
import type { Policy } from '../../policy/types.js';
import type { CurveRecord } from '../../algorithms/curve.js';
import { nest } from '../../policy/json.js';
import { num, sci } from '../../report/format.js';
import { progressBar } from '../../report/progress.js';
import { writeLearningCurvesHtml } from '../../report/html.js';
import { parse } from '../args.js';
import { builtinNames, intOption, loadMDP } from '../io.js';
import { trainGrpoCommand, wantsGroupLearner } from './train-grpo.js';

/** camelCase → kebab-case (`entropyCoef` → `entropy-coef`). */
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Every hyperparameter name of every learner, as a CLI option. */
const HYPER_OPTIONS = [...new Set(LEARNERS.flatMap((l) => Object.keys(l.defaults)))];

const hyperHelp = () => LEARNERS.map((l) => `  ${l.name.padEnd(10)} ${Object.entries(l.defaults).map(([k, v]) => `--${kebab(k)} ${v}`).join(' ')}`).join('\n');

export const TRAIN_HELP = `pgtruth train <mdp.json | builtin:NAME> --algo reinforce|a2c|trpo|ppo|vmpo [options]

Trains a tabular softmax policy from the uniform one with a learner built only from pgtruth's
verified estimators (src/algorithms), and measures every update exactly: J(θ_n), the gap
J* − J(θ_n), the exact d-weighted KL(π_{n−1}‖π_n) beside the learner's k3 estimate, the exact
entropy, and the samples used so far. One seed determines the whole run.

With --algo grpo (on an episodic MDP with γ = 1: builtin:bandit-contextual, builtin:token-mdp): GRPO,
Dr. GRPO or RLOO with the exact KL to the reference policy — pgtruth train --algo grpo --help.

With --env ID in place of an MDP (CartPole-v1, Acrobot-v1, Pendulum-v1, MountainCarContinuous-v0,
HalfCheetah-v5, Hopper-v5): the deep learners with MLP actor and critic — pgtruth train --env ID --help.

Options:
  --algo NAME             reinforce | a2c | trpo | ppo | vmpo (required)
  --seed N                the seed (default 0)
  --policy KIND           softmax (default: the tabular softmax from uniform) or mlp[:H[,H…]] — an MLP
                          over one-hot states with hidden widths H (default 8, tanh; last layer ×0.01,
                          so π starts within ~1% of uniform); the curve is exact for its induced table
  --json                  one JSON line per update (the curve record), then one summary line
  --out FILE              write the final policy as {"kind":"softmax","logits":[[…]]} (what pgtruth exact reads;
                          for an MLP its logits f_w(φ(s)), the same π)
  --html FILE             also write a self-contained HTML page: J_n against J*, the per-update exact KL
                          (log axis) beside the k3 estimate, the exact entropy, the final values
  --NAME VALUE            a hyperparameter of the learner (booleans: true|false); defaults:
\${HYPERS}
  -h, --help              this help

The progress bar is drawn on stderr only when stderr is a terminal (and not with --json). The last line is the
summary: J, J*, the gap, updates, samples, wall time.

Built-in MDPs: \${BUILTIN}`;

const OPTIONS = {
  algo: { type: 'string' },
  seed: { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(HYPER_OPTIONS.map((k) => [kebab(k), { type: 'string' }])),
} as const;

/** The hyperparameters given on the command line for `algo`, typed like its defaults; `CLI_USAGE` names a bad option or value. */
export function parseHyperparameters(algo: string, values: Record<string, string | boolean | undefined>): Record<string, number | boolean> {
  const l = learner(algo)!;
  const out: Record<string, number | boolean> = {};
  for (const k of HYPER_OPTIONS) {
    const text = values[kebab(k)];
    if (text === undefined) continue;
    const option = `--${kebab(k)}`;
    if (!(k in l.defaults)) fail('CLI_USAGE', `${option} is not a hyperparameter of ${algo} (its hyperparameters: ${Object.keys(l.defaults).map((x) => '--' + kebab(x)).join(', ')})`, { where: option, value: text });
    const d = l.defaults[k];
    if (typeof d === 'boolean') {
      if (text !== 'true' && text !== 'false') fail('CLI_USAGE', `${option} ${show(text)}: expected true or false`, { where: option, value: text });
      out[k] = text === 'true';
    } else {
      const v = Number(text);
      if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(v)) fail('CLI_USAGE', `${option} ${show(text)}: expected a number`, { where: option, value: text });
      out[k] = v;
    }
  }
  return out;
}

/** `pgtruth train`. */
/** The help text `pgtruth train --help` prints: {@link TRAIN_HELP} with every learner's hyperparameters and the built-in MDPs filled in. */
export function trainHelpText(): string {
  return TRAIN_HELP.replace('${HYPERS}', hyperHelp()).replace('${BUILTIN}', builtinNames());
}

/** `--policy softmax | mlp[:H[,H…]]`: undefined for the tabular softmax, else the MLP policy (`mlpStatePolicy`); `CLI_USAGE` otherwise. */
function startPolicy(mdp: FiniteMDP, text: string | undefined, seed: number): Policy | undefined {
  if (text === undefined || text === 'softmax') return undefined;
  const m = /^mlp(?::(\d+(?:,\d+)*))?$/.exec(text);
  const hidden = m ? (m[1] === undefined ? [8] : m[1].split(',').map(Number)) : [];
  if (!m || hidden.some((h) => h < 1 || h > 4096)) fail('CLI_USAGE', `--policy ${show(text)}: expected softmax or mlp[:H[,H…]] with widths in 1…4096 (e.g. mlp:8 or mlp:16,16)`, { where: '--policy', value: text });
  return mlpStatePolicy(mdp, hidden, seed);
}

export function trainCommand(argv: string[], write: (s: string) => void): number {
  if (wantsGroupLearner(argv)) return trainGrpoCommand(argv, write);
  const { values, positionals } = parse(argv, OPTIONS, 'train');
  if (values.help) { write(trainHelpText() + '\n'); return 0; }
  if (positionals.length !== 1) fail('CLI_USAGE', `train takes one MDP (a JSON file or builtin:NAME), got ${positionals.length} arguments (see pgtruth train --help)`);
  const algo = values.algo as string | undefined;
  if (algo === undefined) fail('CLI_USAGE', `train needs --algo (${LEARNERS.map((l) => l.name).join(', ')})`, { where: '--algo' });
  if (!learner(algo)) fail('CLI_USAGE', `--algo ${show(algo)}: expected one of ${LEARNERS.map((l) => l.name).join(', ')}`, { where: '--algo', value: algo });
  const seed = intOption(values.seed as string | undefined, '--seed', 0);
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === '') fail('CLI_USAGE', '--out needs a file name', { where: '--out', value: out });
  const html = values.html as string | undefined;
  if (html !== undefined && html.trim() === '') fail('CLI_USAGE', '--html needs a file name', { where: '--html', value: html });
  const hyper = parseHyperparameters(algo, values);
  const { mdp, label } = loadMDP(positionals[0]!);
  const policy = startPolicy(mdp, values.policy as string | undefined, seed);
  const hp: Record<string, number | boolean> = { ...learner(algo)!.defaults, ...hyper };
  const total = hp.updates as number;
  const bar = progressBar(process.stderr, process.stderr.isTTY === true && !values.json);
  const json = values.json === true;
  const t0 = performance.now();
  const onRecord = (r: CurveRecord) => {
    if (json) write(JSON.stringify(r) + '\n');
    bar.update(r.update, total, `J ${num(r.J, 4)} gap ${sci(r.gap)}`);
  };
  let result;
  try {
    result = learner(algo)!.run(mdp, hyper, { seed, label, onRecord, ...(policy ? { policy } : {}) });
  } catch (e) {
    bar.finish();
    if (e instanceof PgTruthError && e.code === 'LEARNER_OPTIONS') fail('CLI_USAGE', `train: ${e.message.replace(/^\[[A-Z_]+\] /, '')}`, { where: e.where === undefined ? undefined : '--' + kebab(e.where), value: e.value });
    throw e;
  }
  bar.finish();
  const wall = (performance.now() - t0) / 1000;
  const last = result.curve.records[result.curve.records.length - 1]!;
  if (out !== undefined) writeFileSync(out, JSON.stringify({ kind: 'softmax', logits: nest(samplingPolicy(result.policy).theta, mdp.numStates, mdp.numActions) }) + '\n');
  if (html !== undefined) {
    try {
      writeLearningCurvesHtml(html, [result.curve], { title: `${algo} on ${label}, seed ${seed}` });
    } catch (e) {
      fail('CLI_USAGE', `--html ${show(html)}: ${(e as Error).message.replace(/^\[[A-Z_]+\] /, '')}`, { where: '--html', value: html });
    }
  }
  const summary = { algo, mdp: label, seed, J: last.J, JStar: result.curve.JStar, gap: last.gap, updates: last.update, samples: last.samples, wallSeconds: wall };
  if (json) write(JSON.stringify({ summary }) + '\n');
  else write(`${algo} on ${label}, seed ${seed}: J = ${num(last.J)}  J* = ${num(result.curve.JStar)}  gap = ${sci(last.gap)}  updates ${last.update}  samples ${last.samples}  wall ${wall.toFixed(2)}s${out !== undefined ? `  policy → ${out}` : ''}${html !== undefined ? `  page → ${html}` : ''}\n`);
  return 0;
}
