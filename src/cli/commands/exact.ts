/**
 * `pgtruth exact <mdp.json|builtin:name> --policy <policy.json|uniform> [--json] [--fisher] [--rational] [--solver auto|dense|iterative]`
 * @module
 */
import { evaluatePolicy, type SolverChoice } from '../../exact/evaluate.js';
import { fisherMatrix } from '../../exact/fisher.js';
import { policyGradient } from '../../exact/gradient.js';
import { checkPolicyGradientTheoremExact, evaluateExact, rationalPolicyFromJSON } from '../../exact/rational.js';
import { fail } from '../../errors.js';
import { rationalMDPFromJSON } from '../../mdp/generic.js';
import { actionLabel, stateLabel, type FiniteMDP } from '../../mdp/model.js';
import { builtinMDP } from '../../mdp/library/index.js';
import { mdpToJSON } from '../../mdp/json.js';
import { nest, shapeLikeTheta } from '../../policy/json.js';
import { num, table, toJSON } from '../../report/format.js';
import { parse } from '../args.js';
import { BUILTIN_PREFIX, builtinNames, inFile, loadMDP, loadPolicy } from '../io.js';
import { overflowCheck } from '../../exact/overflow.js';

export const EXACT_HELP = `pgtruth exact <mdp.json | builtin:NAME> --policy <policy.json | uniform> [options]

Computes the exact V, Q, A, d, η, J and ∇J (by the policy gradient theorem) of a policy.

Options:
  --policy FILE|uniform   the policy: {"kind":"softmax","logits":[[…]]}, {"kind":"direct","probs":[[…]]}
                          or {"kind":"loglinear","features":[[[…]]],"theta":[…]}; "uniform" = all-zero logits
  --json                  one JSON object with keys V, Q, A, d, eta, J, grad (and fisher); grad shaped like θ
  --fisher                add the Fisher matrix F = Σ_s d(s) Σ_a π ∇log π ∇log πᵀ
  --rational              exact rational arithmetic (needs a direct policy; entries as "p/q" strings or
                          decimals); prints fractions and checks the policy gradient theorem exactly
  --solver auto|dense|iterative   linear solver (default auto)
  -h, --help              this help

Built-in MDPs: ${'${BUILTIN}'}`;

const OPTIONS = {
  policy: { type: 'string' },
  json: { type: 'boolean' },
  fisher: { type: 'boolean' },
  rational: { type: 'boolean' },
  solver: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Renders a per-state and per-(state, action) report of an evaluation. */
function textReport(mdp: FiniteMDP, label: string, kind: string, nParams: number, ev: { V: ArrayLike<string | number>; Q: ArrayLike<string | number>; A: ArrayLike<string | number>; d: ArrayLike<string | number>; eta: ArrayLike<string | number>; J: string | number; horizon: string | number }, pi: ArrayLike<string | number>, grad: (number | string)[] | (number | string)[][], extra: string[] = []): string {
  const S = mdp.numStates, A = mdp.numActions;
  const f = (x: string | number) => (typeof x === 'number' ? num(x) : x);
  const out: string[] = [];
  const term = mdp.terminalStates.length ? `, terminal: ${mdp.terminalStates.map((s) => stateLabel(mdp, s)).join(', ')}` : '';
  out.push(`MDP     ${label}: ${S} states × ${A} actions, γ = ${mdp.gamma}${term}`);
  out.push(`policy  ${kind}, ${nParams} parameters`);
  out.push('');
  out.push(`J = ${f(ev.J)}`);
  out.push(mdp.gamma === 1 ? `Σ η = ${f(ev.horizon)} (the expected episode length)` : `Σ η = ${f(ev.horizon)} = 1/(1−γ)`);
  if (S > 200) {
    out.push('');
    out.push(`(${S} states: per-state tables omitted; use --json for every number)`);
    return out.join('\n');
  }
  out.push('');
  out.push(table(['state', 'V', 'η', 'd'], Array.from({ length: S }, (_, s) => [stateLabel(mdp, s), f(ev.V[s]!), f(ev.eta[s]!), f(ev.d[s]!)]), [false, true, true, true]));
  const acts = Array.from({ length: A }, (_, a) => actionLabel(mdp, a));
  for (const [name, arr] of [['π(a|s)', pi], ['Q(s,a)', ev.Q], ['A(s,a)', ev.A]] as const) {
    out.push('');
    out.push(table([name, ...acts], Array.from({ length: S }, (_, s) => [stateLabel(mdp, s), ...acts.map((_, a) => f(arr[s * A + a]!))]), [false, ...acts.map(() => true)]));
  }
  out.push('');
  if (Array.isArray(grad[0])) {
    out.push(table(['∇J (θ[s][a])', ...acts], (grad as (number | string)[][]).map((row, s) => [stateLabel(mdp, s), ...row.map(f)]), [false, ...acts.map(() => true)]));
  } else {
    out.push(`∇J (θ has ${grad.length} entries): [${(grad as (number | string)[]).map(f).join(', ')}]`);
  }
  out.push(...extra);
  return out.join('\n');
}

/** Runs `f`; a typed error it throws names `path` (`[CODE] path: …`). */
function named<T>(path: string, f: () => T): T {
  try { return f(); } catch (e) { throw inFile(e, path); }
}

/** Runs `pgtruth exact`. */
export function exactCommand(argv: string[], write: (s: string) => void): number {
  const { values, positionals } = parse(argv, OPTIONS, 'exact');
  if (values.help) { write(EXACT_HELP.replace('${BUILTIN}', builtinNames()) + '\n'); return 0; }
  if (positionals.length !== 1) fail('CLI_USAGE', `exact takes one MDP (a JSON file or ${BUILTIN_PREFIX}NAME), got ${positionals.length} arguments (see pgtruth exact --help)`);
  const solver = (values.solver as string | undefined) ?? 'auto';
  if (!['auto', 'dense', 'iterative'].includes(solver)) fail('CLI_USAGE', `--solver must be auto, dense or iterative, got "${solver}"`, { where: '--solver', value: solver });
  const { mdp, json: mdpJson, label } = loadMDP(positionals[0]!);
  const { policy, json: policyJson } = loadPolicy(values.policy as string | undefined, mdp);

  if (values.rational) {
    const mj = mdpJson ?? mdpToJSON(builtinMDP(positionals[0]!.slice(BUILTIN_PREFIX.length)));
    // errors name their file: the MDP's, or the policy's for the policy table
    const m = named(positionals[0]!, () => rationalMDPFromJSON(mj));
    const pi = named(values.policy as string, () => rationalPolicyFromJSON(policyJson, mdp.numStates, mdp.numActions));
    const ev = named(positionals[0]!, () => evaluateExact(m, pi));
    const chk = named(positionals[0]!, () => checkPolicyGradientTheoremExact(m, pi));
    const s = (x: { toFraction(): string }) => x.toFraction();
    const S = mdp.numStates, A = mdp.numActions;
    const grad = nest(chk.theorem.map((x) => x.valueOf()), S, A).map((row, i) => row.map((_, a) => s(chk.theorem[i * A + a]!)));
    if (values.fisher) fail('CLI_USAGE', '--fisher is not available with --rational (the direct Fisher has entries 1/π, computed in floating point without --rational)');
    if (values.json) {
      write(toJSON({
        V: ev.V.map(s), Q: nest(ev.Q.map((x) => x.valueOf()), S, A).map((row, i) => row.map((_, a) => s(ev.Q[i * A + a]!))),
        A: nest(ev.A.map((x) => x.valueOf()), S, A).map((row, i) => row.map((_, a) => s(ev.A[i * A + a]!))),
        d: ev.d.map(s), eta: ev.eta.map(s), J: s(ev.J), grad,
      }) + '\n');
      return 0;
    }
    write(textReport(mdp, label, 'direct (exact rational)', S * A, { V: ev.V.map(s), Q: ev.Q.map(s), A: ev.A.map(s), d: ev.d.map(s), eta: ev.eta.map(s), J: s(ev.J), horizon: s(ev.horizon) }, pi.map(s), grad,
      ['', `policy gradient theorem vs forward-mode AD in Dual<Fraction>: ${chk.exact ? 'difference exactly 0 in every entry' : 'DIFFERENT: ' + chk.differences.map(s).join(', ')}`]) + '\n');
    return chk.exact ? 0 : 1;
  }

  const ev = named(positionals[0]!, () => evaluatePolicy(mdp, policy.param.probs(policy.theta), { solver: solver as SolverChoice }));
  const grad = named(positionals[0]!, () => policyGradient(mdp, policy, ev));
  const S = mdp.numStates, A = mdp.numActions;
  const fisher = values.fisher ? named(positionals[0]!, () => fisherMatrix(mdp, policy, ev)) : undefined;
  if (fisher) named(positionals[0]!, () => overflowCheck(fisher, 'fisher', policy.param.numParams, 'the Fisher matrix of these rewards and this policy is beyond double precision'));
  if (values.json) {
    const n = policy.param.numParams;
    write(toJSON({
      V: ev.V, Q: nest(ev.Q, S, A), A: nest(ev.A, S, A), d: ev.d, eta: ev.eta, J: ev.J, grad: shapeLikeTheta(policy, grad),
      ...(fisher ? { fisher: nest(fisher, n, n) } : {}),
    }) + '\n');
    return 0;
  }
  const extra: string[] = [];
  if (fisher) {
    const n = policy.param.numParams;
    extra.push('');
    extra.push(n <= 24 ? table(['F', ...Array.from({ length: n }, (_, j) => String(j))], Array.from({ length: n }, (_, i) => [String(i), ...Array.from({ length: n }, (_, j) => num(fisher[i * n + j]!, 4))]), [false, ...Array.from({ length: n }, () => true)]) : `(Fisher matrix ${n}×${n}: use --json)`);
  }
  extra.push('');
  extra.push(`solver: ${ev.solve.method}, ${ev.solve.size} unknowns${ev.solve.residual ? `, relative residual ${ev.solve.residual.toExponential(1)}` : ''}`);
  write(textReport(mdp, label, policy.param.kind, policy.param.numParams, { ...ev }, policy.param.probs(policy.theta), shapeLikeTheta(policy, grad) as number[] | number[][], extra) + '\n');
  return 0;
}
