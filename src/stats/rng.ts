/**
 * A seeded, splittable pseudo-random number generator.
 *
 * The generator is xoshiro128** (Blackman & Vigna 2018), 32-bit arithmetic only, so it is
 * fast in JavaScript. A stream is named by a seed and a path of integers
 * (`Rng.from(seed).split(3).split(17)`); its state is derived by hashing the path with a
 * SplitMix-style mixer, the same way numpy's SeedSequence spawns children. The same seed
 * and path give the same numbers on every machine and with any number of workers.
 *
 * @module
 */
import { fail } from '../errors.js';

const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One SplitMix32-style step of the state expansion of `key` at counter `x`. */
function expandKey(key: readonly [number, number, number, number], x: number): number {
  return fmix32(x ^ fmix32(key[1] ^ x) ^ key[2]);
}

/** Hashes a string or a non-negative integer seed to 32 bits. */
function seedWord(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) fail('CLI_USAGE', `seed must be a non-negative safe integer, got ${seed}`, { value: seed });
    return fmix32((seed >>> 0) ^ fmix32(Math.floor(seed / 2 ** 32) + GOLDEN));
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/** A splittable xoshiro128** generator. */
export class Rng {
  // The state words are int32 from the start (small integers to V8): a field declared
  // without a value starts as undefined and would hold boxed numbers, which every draw
  // would then have to unbox and check.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN;

  /** The 4-word key naming this stream; children are derived from it. */
  readonly key: readonly [number, number, number, number];

  private constructor(key: readonly [number, number, number, number]) {
    this.key = key;
    // expand the key into the state with SplitMix32-style steps; never all-zero. (No closure
    // here: a stream is derived per block of episodes, and under tsx every closure created
    // costs a defineProperty of its name.)
    const x = key[0] ^ fmix32(key[1] + GOLDEN) ^ fmix32(key[2] + 2 * GOLDEN) ^ fmix32(key[3] + 3 * GOLDEN);
    this.s0 = expandKey(key, (x + GOLDEN) | 0) | 0;
    this.s1 = expandKey(key, (x + 2 * GOLDEN) | 0) | 0;
    this.s2 = expandKey(key, (x + 3 * GOLDEN) | 0) | 0;
    this.s3 = expandKey(key, (x + 4 * GOLDEN) | 0) | 1;
    for (let i = 0; i < 8; i++) this.nextU32();
  }

  /** The root stream of a seed (a non-negative integer or a string). */
  static from(seed: number | string): Rng {
    const w = seedWord(seed);
    return new Rng([w, fmix32(w ^ 0x5bd1e995), 0x243f6a88, 0x85a308d3]);
  }

  /** An independent child stream; does not advance this one. `split(i)` is deterministic. */
  split(id: number): Rng {
    if (!Number.isSafeInteger(id) || id < 0) fail('CLI_USAGE', `stream id must be a non-negative safe integer, got ${id}`, { value: id });
    const [a, b, c, d] = this.key;
    const lo = id >>> 0, hi = Math.floor(id / 2 ** 32) >>> 0;
    return new Rng([
      fmix32(a ^ fmix32(lo + GOLDEN)),
      fmix32(b ^ fmix32(hi + 2 * GOLDEN) ^ a),
      fmix32(c ^ fmix32(lo ^ 0x6a09e667) ^ b),
      fmix32(d ^ fmix32(hi ^ 0xbb67ae85) ^ c),
    ]);
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = (n3 << 11) | (n3 >>> 21);
    this.s0 = n0; this.s1 = n1; this.s2 = n2; this.s3 = n3;
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in {0, …, n−1} (unbiased, by rejection). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > 2 ** 32) fail('CLI_USAGE', `int(n) needs an integer 1 ≤ n ≤ 2³², got ${n}`, { value: n });
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** A standard normal variate (Marsaglia's polar method). */
  normal(): number {
    if (!Number.isNaN(this.spare)) { const s = this.spare; this.spare = NaN; return s; }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return u * f;
  }

  /**
   * An index drawn from the probabilities `p[offset … offset+len−1]` (which sum to 1);
   * the last index with positive probability absorbs rounding.
   */
  categorical(p: ArrayLike<number>, offset = 0, len = p.length - offset): number {
    const u = this.uniform();
    let c = 0;
    let last = -1;
    for (let i = 0; i < len; i++) {
      const pi = p[offset + i]!;
      if (pi > 0) {
        last = i;
        c += pi;
        if (u < c) return i;
      }
    }
    if (last < 0) fail('POLICY_NOT_DISTRIBUTION', `categorical draw from a vector with no positive entry (offset ${offset})`, { where: `offset ${offset}` });
    return last;
  }
}
