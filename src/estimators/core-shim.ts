/**
 * TEMPORARY shim of the `core` branch's per-transition estimator cores (same signatures).
 * Deleted when `core` is merged; never in the final commit.
 * @module
 */
function buf(out: Float64Array | undefined, n: number): Float64Array {
  return out !== undefined && out.length === n ? out : new Float64Array(n);
}

export function discountWeights(t_index: Int32Array, gamma: number, out?: Float64Array): Float64Array {
  const o = buf(out, t_index.length);
  for (let i = 0; i < o.length; i++) o[i] = gamma ** t_index[i]!;
  return o;
}

export function gaeFromValues(r_t: Float64Array, v_t: Float64Array, v_tp1: Float64Array, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, lambda: number, out?: Float64Array): Float64Array {
  const n = r_t.length, o = buf(out, n);
  let carry = 0;
  for (let t = n - 1; t >= 0; t--) {
    const term = terminated_t[t] === 1, end = term || truncated_t[t] === 1;
    if (end) carry = 0;
    const delta = r_t[t]! + (term ? 0 : gamma * v_tp1[t]!) - v_t[t]!;
    carry = delta + gamma * lambda * carry;
    o[t] = carry;
  }
  return o;
}

export function valueTargetsFromAdvantages(adv: Float64Array, v_t: Float64Array, out?: Float64Array): Float64Array {
  const o = buf(out, adv.length);
  for (let t = 0; t < o.length; t++) o[t] = adv[t]! + v_t[t]!;
  return o;
}

export function ppoClipCoefficients(logp_t: Float64Array, logp_old_t: Float64Array, adv_t: Float64Array, epsilon: number, weight_t: Float64Array | undefined, out?: Float64Array): { loss: number; coefficients: Float64Array; clipFraction: number } {
  const n = logp_t.length, c = buf(out, n);
  let loss = 0, clipped = 0;
  for (let t = 0; t < n; t++) {
    const w = weight_t ? weight_t[t]! : 1 / n;
    const r = Math.exp(logp_t[t]! - logp_old_t[t]!), a = adv_t[t]!;
    const rc = Math.min(Math.max(r, 1 - epsilon), 1 + epsilon);
    if (Math.abs(r - 1) > epsilon) clipped++;
    const u = r * a, v = rc * a;
    loss -= w * Math.min(u, v);
    c[t] = u <= v ? w * r * a : 0;
  }
  return { loss, coefficients: c, clipFraction: n > 0 ? clipped / n : 0 };
}

export function policyGradientCoefficients(returns_or_advantages: Float64Array, weight_t: Float64Array | undefined, out?: Float64Array): Float64Array {
  const n = returns_or_advantages.length, o = buf(out, n);
  for (let t = 0; t < n; t++) o[t] = (weight_t ? weight_t[t]! : 1 / n) * returns_or_advantages[t]!;
  return o;
}
