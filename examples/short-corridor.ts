// The short corridor with switched actions (Sutton & Barto, Example 13.1), with the exact
// tools of pgtruth: J(p), the policy gradient by the theorem and by forward-mode AD, and
// the best shared policy p* = 2 − √2. Run: npx tsx examples/short-corridor.ts
import {
  evaluatePolicy, gradientForwardMode, policyGradient, shortCorridor, shortCorridorPolicy, shortCorridorTheta,
} from 'pgtruth';

export function corridorTable(ps: number[] = [0.05, 0.25, 0.5, 0.585786, 0.75, 0.95]): { p: number; J: number; gTheorem: number; gAD: number }[] {
  const mdp = shortCorridor();
  const param = shortCorridorPolicy();
  return ps.map((p) => {
    const policy = { param, theta: shortCorridorTheta(p) };
    const ev = evaluatePolicy(mdp, param.probs(policy.theta));
    // θ = (θ_R, θ_L): ∇J = (g, −g); report g
    return { p, J: ev.J, gTheorem: policyGradient(mdp, policy, ev)[0]!, gAD: gradientForwardMode(mdp, policy)[0]! };
  });
}

/** Golden-section search for the best shared probability of `right`. */
export function bestP(): number {
  const mdp = shortCorridor();
  const param = shortCorridorPolicy();
  const J = (p: number) => evaluatePolicy(mdp, param.probs(shortCorridorTheta(p))).J;
  let a = 0.01, b = 0.99;
  const r = (Math.sqrt(5) - 1) / 2;
  while (b - a > 1e-10) {
    const c = b - r * (b - a), d = a + r * (b - a);
    if (J(c) > J(d)) b = d; else a = c;
  }
  return (a + b) / 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('   p          J(p)         ∂J/∂θ_R (theorem)   ∂J/∂θ_R (forward-mode AD)');
  for (const row of corridorTable()) {
    console.log(`${row.p.toFixed(6)}  ${row.J.toFixed(6).padStart(12)}  ${row.gTheorem.toFixed(9).padStart(18)}  ${row.gAD.toFixed(9).padStart(18)}`);
  }
  const p = bestP();
  console.log(`\nbest shared p = ${p.toFixed(8)} (2 − √2 = ${(2 - Math.SQRT2).toFixed(8)})`);
}
