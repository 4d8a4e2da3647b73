/**
 * `pgtruth check <module> [--json] [--verbose] [--seed N] [--samples N] [--resolution F] [--budget SECONDS] [--mdp FILE] [--workers N] [--python PATH] [--timeout S]`
 * @module
 */
import { fail } from '../../errors.js';
import { progressBar } from '../../report/progress.js';
import { verdictJSON } from '../../report/verdicts.js';
import { checkFooter, checkHeader, checkTable, checkVerdict, claimComparison, type CheckedEstimator } from '../../report/check-table.js';
import { DETECTION_POWER } from '../../stats/tests.js';
import { checkModule, DEFAULT_MIN_SAMPLES } from '../../verify/check.js';
import { checkComparison } from '../../verify/machinery.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION } from '../../verify/power.js';
import { allPassed, falseAlarmBound } from '../../verify/runner.js';
import { parse } from '../args.js';
import { intOption, loadMDP } from '../io.js';

export const CHECK_HELP = `pgtruth check <module.ts | module.js | module.py[:function]> [options]

Loads your estimators from a TypeScript, JavaScript or Python module and runs every claim that
applies to each (by its kind) against the exact answers on tabular MDPs, each claim with a
negative control (a known bug of the same kind that the same check must reject). Prints the
verdict table; exits 1 if any claim fails, 2 on invalid input.

Every check states its resolution: the smallest bias it detects with probability 0.9, as a
percentage of its target's scale (‖∇J‖₂; max|A^π| and max|Q^π|; the KL). A pilot run sizes
each check to resolve --resolution of that scale; a check that cannot within --budget is
INCONCLUSIVE — a failure — and says how many samples would resolve it. A failing check
names its worst coordinate (expected against observed ± standard error) and the known bugs
of the mutation catalogue its bias matches.

The module exports (default: one estimator or an array; or named exports) objects
  { kind: 'policy-gradient', name?, estimate(batch, policy, gamma) → ∇J estimate (length S·A) }
  { kind: 'advantage', name?, estimate(batch, values, gamma, lambda) → { advantages, targets } }
  { kind: 'kl', name?, estimate(logRatio) → per-sample estimates of KL(q‖p) }
  { kind: 'surrogate', name?, clip?, entropyCoef?, klCoef?, normalizeAdvantages?,
    estimate(batch, policy, advantages) → { loss, gradient } }
  { kind: 'group', name?, scale?(G), estimate(groupBatch, policy) → per-token advantages (N·T) or { loss, gradient } }
  { kind: 'value-loss', name?, definition?, reduction?, half?, valueClip?,
    estimate(batch, values, valuesOld, gamma, lambda) → { loss, gradient } (∇_V, length S) }
  { kind: 'actor-critic', name?, definition?, reduction?, half?, valueCoef, entropyCoef?,
    estimate(batch, policy, values, gamma, lambda) → { loss, gradTheta, gradV } }
  a learner's machinery, checked exactly (no sampling; docs/reference/check.md):
  { kind: 'trpo-fvp', name?, damping?, estimate(policy, old, stateWeights, v) → (F_w(θ) + λI)v }
    (or fisher: 'batch', estimate(policy, old, batch, v): sampled, E[F̂v] = (F + λI)v)
  { kind: 'trpo-cg', name?, estimate(apply, b, iterations) → x }
  { kind: 'trpo-linesearch', name?, shrink?, maxBacktracks?, acceptRatio?,
    estimate(theta, fullStep, expectedImprovement, maxKl, evaluate) → accepted (theta updated in place) }
  { kind: 'vmpo', name?, estimate(batch, policy, old, advantages, { eta, nu, epsilonEta, epsilonNu })
    → { theta, eta, nu }: the gradients of L_π + L_η + L_ν }
  A policy-gradient estimator may declare its policy (default 'tabular'):
  { kind: 'policy-gradient', policy: 'gaussian' | 'tanh-gaussian', name?,
    estimate(continuousBatch, gaussianView, gamma) → ∇_θ J estimate }   (the LQR and bandits)
  { kind: 'policy-gradient', policy: 'mlp', name?, estimate(batch, mlpView, gamma) → ∇_w J estimate }
  { kind: 'policy-gradient', policy: 'gaussian-mlp' | 'tanh-gaussian-mlp', name?,
    estimate(continuousBatch, gaussianMlpView, gamma) → ∇_w J estimate }   (a Gaussian or tanh-Gaussian head on an MLP)
  a surrogate may declare policy: 'gaussian' | 'tanh-gaussian' | 'gaussian-mlp' | 'tanh-gaussian-mlp' (PPO losses)
(the complete TypeScript types are in docs/reference/cli.md, "pgtruth check").

A Python module declares its functions, e.g. PGTRUTH = {'kind': 'advantage', 'function': 'gae'}
(numpy arrays in and out; 'layout': 'time-major' for Gymnasium's [T, N] arrays; for PyTorch,
'loss': True and the function returns a loss that pgtruth differentiates). It runs in a
persistent Python worker (README, "Python estimators").

Options:
  --json          the verdicts as one JSON object
  --verbose       every check and every control check, with its statistics
  --seed N        root seed (default 20240124)
  --samples N     the minimum sample size per check (default 6400): episodes on complete
                  episodes, segments of 32 steps on truncated segments, draws for KL; the
                  pilot raises it where the resolution needs more
  --resolution F  the bias each check must resolve, as a fraction of its target's scale
                  (default 0.05); a check that cannot is INCONCLUSIVE (a failure)
  --budget S      seconds the main runs of one estimator's checks may take (default 120;
                  pilots and negative controls come on top)
  --mdp FILE      check on this MDP (with a seeded softmax policy) instead of the built-in ones
  --workers N     worker threads (default 2; 0 = one: your code never runs in the main thread)
  --python PATH   Python modules (my.py, my.py:function): the interpreter (default /usr/bin/python3, then python3)
  --timeout S     seconds one call into your code may take (default 60), in TypeScript, JavaScript
                  or Python; a call that takes longer stops the check with USER_CODE_TIMEOUT (a
                  Python worker is killed: PYTHON_TIMEOUT) naming the call
  -h, --help      this help

Your code runs sealed off in worker threads: process.exit (at load time or in a call),
process.abort or process.kill of this process is USER_CODE_EXIT naming the module, the call
and the line (exit 2); an exception is USER_CODE_THREW with your file:line, whatever was thrown.`;

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  seed: { type: 'string' },
  samples: { type: 'string' },
  resolution: { type: 'string' },
  budget: { type: 'string' },
  mdp: { type: 'string' },
  workers: { type: 'string' },
  python: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A number in (0, max]; `CLI_USAGE` naming the option otherwise. */
function positiveOption(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(value.trim() !== '' && Number.isFinite(x) && x > 0 && x <= max)) fail('CLI_USAGE', `${name} must be a number in (0, ${max}], got ${JSON.stringify(value)}`, { where: name, value });
  return x;
}

/** Runs `pgtruth check`. */
export async function checkCommand(argv: string[], write: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'check');
  if (values.help) { write(CHECK_HELP + '\n'); return 0; }
  if (positionals.length !== 1) fail('CLI_USAGE', `check takes one module (a .ts, .js or .py file), got ${positionals.length} arguments (see pgtruth check --help)`);
  const seed = intOption(values.seed as string | undefined, '--seed', 20240124);
  const samples = intOption(values.samples as string | undefined, '--samples', DEFAULT_MIN_SAMPLES);
  const resolution = positiveOption(values.resolution as string | undefined, '--resolution', DEFAULT_RESOLUTION, 1);
  const budget = positiveOption(values.budget as string | undefined, '--budget', DEFAULT_BUDGET_SECONDS, 86_400);
  if (samples < 1000) fail('CLI_USAGE', `--samples must be at least 1000, got ${samples}`, { where: '--samples', value: samples });
  const workers = intOption(values.workers as string | undefined, '--workers', 2);
  const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!(Number.isFinite(timeout) && timeout > 0 && timeout <= 1e6)) fail('CLI_USAGE', `--timeout must be a number of seconds in (0, 1e6], got ${JSON.stringify(values.timeout)}`, { where: '--timeout', value: values.timeout });
  const m = values.mdp ? loadMDP(values.mdp as string) : undefined;
  const bar = progressBar(process.stderr, !values.json || process.stderr.isTTY === true);
  const t0 = performance.now();
  const { estimators, results } = await checkModule(positionals[0]!, {
    seed, samples, resolution, budget, workers, timeout, ...(values.python !== undefined ? { python: values.python as string } : {}), ...(m ? { mdp: m.mdp, mdpLabel: m.label } : {}),
    onProgress: (d, t, id) => bar.update(d, t, id),
  });
  bar.finish();
  const seconds = (performance.now() - t0) / 1000;
  const alarm = falseAlarmBound(results);
  // how each estimator is judged: exact (the machinery kinds: a tolerance relative to the target's scale) or sampled (the power guard)
  const judged: CheckedEstimator[] = estimators.map((e) => ({ name: e.name, kind: e.estimator.kind, ...checkComparison(e) }));
  if (values.json) {
    // `label`: PASS, FAIL, INCONCLUSIVE (every failing check could not resolve the required bias), WEAK or ERROR;
    // `comparison` ('exact' | 'sampled', with `tolerance` relative to the target's scale when exact) per claim, per estimator and for the run ('mixed' when both)
    const comparison = judged.every((e) => e.comparison === 'sampled') ? 'sampled' : judged.every((e) => e.comparison === 'exact') ? 'exact' : 'mixed';
    write(verdictJSON(results.map((r) => ({ ...r, label: checkVerdict(r), ...claimComparison(r, judged) })), { module: positionals[0], estimators: estimators.map((e, i) => ({ name: e.name, kind: e.estimator.kind, export: e.key, comparison: judged[i]!.comparison, ...(judged[i]!.tolerance !== undefined ? { tolerance: judged[i]!.tolerance } : {}) })), seed, samples, resolution, budget, power: DETECTION_POWER, comparison, seconds, falseAlarm: alarm }) + '\n');
  } else {
    write(checkHeader(positionals[0]!, judged, { seed, resolution, power: DETECTION_POWER, samples, budget, seconds }) + '\n\n');
    write(checkTable(results, { seed, verbose: values.verbose === true, estimators: judged }) + '\n');
    write(`\n${checkFooter(results, judged)}\n`);
  }
  return allPassed(results) ? 0 : 1;
}
