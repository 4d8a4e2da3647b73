// Exact rational arithmetic: V, η, J and ∇J of a rational MDP and direct policy as
// fractions, and the policy gradient theorem checked against forward-mode AD in
// Dual<Fraction> arithmetic with a difference of exactly zero.
// Run: npx tsx examples/exact-rational.ts
import { readFileSync } from 'node:fs';
import { checkPolicyGradientTheoremExact, evaluateExact, rationalMDPFromJSON, rationalPolicyFromJSON } from 'pgtruth';

export function exactTwoState(): { J: string; grad: string[]; exact: boolean } {
  const here = new URL('.', import.meta.url);
  const m = rationalMDPFromJSON(JSON.parse(readFileSync(new URL('mdps/two-state-rational.json', here), 'utf8')));
  const pi = rationalPolicyFromJSON(JSON.parse(readFileSync(new URL('policies/two-state-direct.json', here), 'utf8')), m.numStates, m.numActions);
  const ev = evaluateExact(m, pi);
  const check = checkPolicyGradientTheoremExact(m, pi);
  return { J: ev.J.toFraction(), grad: check.theorem.map((x) => x.toFraction()), exact: check.exact };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = exactTwoState();
  console.log(`J = ${r.J}`);
  console.log(`∇J (θ[s][a] = π(a|s)) = ${r.grad.join(', ')}`);
  console.log(`theorem − forward-mode AD: ${r.exact ? 'exactly 0' : 'NOT zero'}`);
}
