// A user's k3 estimator of KL(q‖p): (r − 1) − log r with log r = log p(x) − log q(x), x ∼ q.
import type { KLEstimator } from 'pgtruth';

const k3: KLEstimator = {
  kind: 'kl',
  name: 'k3',
  estimate: (logRatio) => logRatio.map((lr) => Math.expm1(lr) - lr),
};
export default k3;
