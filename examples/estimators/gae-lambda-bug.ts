// BUGGY on purpose: GAE whose carry decays by λ instead of γλ — the later TD errors get weights
// λ^k instead of (γλ)^k. With the exact V^π every later TD error has mean zero, so the advantages
// still average to A^π and the V^π claim passes; under any other critic (pgtruth check's critic
// claim: V = 0, V^π + offset, a random table) the weights show, wherever γ < 1.
import type { AdvantageEstimator } from 'pgtruth';

const gaeLambdaBug: AdvantageEstimator = {
  kind: 'advantage',
  name: 'gae-lambda-bug',
  definition: 'gae',
  estimate(batch, values, gamma, lambda) {
    const advantages = new Float64Array(batch.size);
    let carry = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      const end = batch.terminated_t[i] || batch.truncated_t[i];
      const next = batch.terminated_t[i] ? 0 : values[batch.s_tp1[i]!]!;
      const delta = batch.r_t[i]! + gamma * next - values[batch.s_t[i]!]!;
      carry = delta + (end ? 0 : lambda * carry); // the bug: γλ written as λ
      advantages[i] = carry;
    }
    return { advantages, targets: advantages.map((a, i) => a + values[batch.s_t[i]!]!) };
  },
};
export default gaeLambdaBug;
