// BUGGY on purpose: k3 computed as (e^r − 1) − r with the ratio r where log r belongs.
import type { KLEstimator } from 'pgtruth';

const k3Bug: KLEstimator = {
  kind: 'kl',
  name: 'k3-bug',
  estimate: (logRatio) => logRatio.map((lr) => { const r = Math.exp(lr); return Math.expm1(r) - r; }),
};
export default k3Bug;
