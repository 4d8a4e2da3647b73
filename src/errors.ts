/**
 * The one error class of pgtruth.
 *
 * Every invalid input raises a {@link PgTruthError} with a stable machine-readable
 * {@link PgTruthError.code | code} and a message that names the offending index and value, e.g.
 * `[MDP_ROW_SUM] transitions[2][1] sums to 0.9; each row of P must sum to 1 (within 1e-9)`.
 * No function of pgtruth returns NaN or Infinity for valid input, and invalid input never
 * yields a number.
 *
 * @module
 */

/** The stable error codes. New codes may be added; existing ones never change meaning. */
export const ERROR_CODES = {
  // model
  MDP_SHAPE: 'an array has the wrong length or nesting',
  MDP_NOT_FINITE: 'an entry is NaN, infinite, or not a number',
  MDP_NEGATIVE_PROBABILITY: 'a transition probability is negative',
  MDP_ROW_SUM: 'a row of P does not sum to 1 within 1e-9',
  MDP_GAMMA_RANGE: 'the discount is outside [0, 1]',
  MDP_INITIAL: 'the initial distribution p0 is not a probability distribution',
  MDP_TERMINAL_INDEX: 'a terminal state index is out of range or repeated',
  MDP_TERMINAL_NOT_ABSORBING: 'a terminal state is not absorbing with zero reward',
  MDP_NOT_TERMINATING: 'gamma = 1 and a reachable state never terminates under the policy',
  MDP_NO_DECISIONS: 'gamma = 1 and every initial state is terminal, so the visitation is undefined',
  MDP_NAMES: 'state or action names are not unique strings',
  MDP_UNKNOWN: 'no built-in MDP has that name',
  // policies
  POLICY_SHAPE: 'a policy or parameter array has the wrong shape',
  POLICY_NOT_FINITE: 'a policy parameter is NaN or infinite',
  POLICY_NOT_DISTRIBUTION: 'a row of a direct policy is not a probability distribution',
  POLICY_KIND: 'unknown policy kind',
  ZERO_PROBABILITY: 'a quantity needs log pi(a|s) or 1/pi(a|s) at an action of probability 0',
  // sampling
  BATCH_INVALID: 'a batch breaks its invariants (index range, flags, continuity)',
  ESTIMATOR_INVALID: 'an estimator returned something of the wrong shape or a non-finite number',
  // sampling: rollouts, segments, the worker pool (src/sampling)
  SAMPLING_COUNT: 'a sampling count (episodes, environments, segments, batches, workers) is not a positive integer within its limit',
  SAMPLING_HORIZON: 'a time limit or segment length is not a positive integer',
  SAMPLING_POLICY: 'a sampling policy does not fit the MDP or cannot be sent to a worker',
  SAMPLING_OPTIONS: 'sampling options are unknown, of the wrong type, or contradict each other',
  SAMPLING_UNBOUNDED: 'episodes could run forever: no time limit, no geometric stopping, and a reachable state never terminates',
  SAMPLING_INITIAL_TERMINAL: 'p0 puts probability on a terminal state, so an episode could have no transition at all',
  WORKER_FAILED: 'a worker thread could not start, could not load its task, or crashed',
  // numerics
  SOLVER_SINGULAR: 'the linear system is singular',
  SOLVER_NOT_CONVERGED: 'an iterative solver did not reach its tolerance',
  DIVERGENCE_INFINITE: 'a divergence is infinite (the second policy gives 0 where the first does not)',
  TOO_LARGE: 'the requested dense quantity is too large for this problem size',
  CONTROL_IMPROPER: 'policy iteration met a policy that never terminates (gamma = 1)',
  FIELD_UNSUPPORTED: 'the number field does not support this operation',
  RATIONAL_INPUT: 'an exact rational input is not an integer or a rational string',
  // estimators (src/estimators)
  ESTIMATOR_ARGUMENT: 'an estimator argument is out of range or has the wrong shape (gamma, lambda, n, a value table, per-step advantages, a clip range, a temperature)',
  ESTIMATOR_EMPTY_BATCH: 'an estimator that averages over the batch was given a batch with no transitions',
  ESTIMATOR_OVERFLOW: 'an estimate overflows double precision (an importance weight or exp(log r) beyond 1e308)',
  SOLVER_INDEFINITE: 'conjugate gradient met a direction of non-positive curvature: the matrix is not positive definite',
  // mirror learning and trust regions (issue 4: src/mirror, src/exact/bounds.ts)
  MIRROR_DRIFT: 'a drift functional is invalid: a parameter (ε, c) is not positive and finite, or a user drift returned a non-finite value',
  MIRROR_NEIGHBOURHOOD: 'a neighbourhood is invalid: its radius δ is not positive and finite, or its constraint cannot be met',
  MIRROR_WEIGHT: 'the state distribution ν is not a distribution, or puts mass on a non-terminal state the old policy never visits (ν/d infinite)',
  BOUND_GAMMA: "TRPO's bound (Theorem 4.1) needs γ < 1: its constant 4εγ/(1−γ)² is infinite at γ = 1",
  // user estimators (pgtruth check, expectUnbiased)
  PLUGIN_INVALID: 'a user module cannot be loaded or does not export estimators of the documented interface',
  CHECK_FAILED: 'a claim about a user estimator failed (expectUnbiased)',
  USER_CODE_EXIT: 'user code called process.exit, process.abort or process.kill on its own process (at load time or inside a call); only its worker thread ended',
  USER_CODE_TIMEOUT: 'a call to user code did not return within the time limit (--timeout); its worker thread was stopped',
  USER_CODE_THREW: "user code threw (an Error or any other value); the message names the call and the thrower's file:line",
  LOSS_DECLARATION: 'a value-loss or actor-critic estimator declares an invalid definition, reduction, half, valueClip, valueCoef or entropyCoef, or a clipped value loss whose exact mean cannot be enumerated',
  // group-relative estimators (issue 15)
  GROUP_ENUMERATION: 'an exact group expectation needs finitely many outcomes: a response longer than the limit, too many responses or groups, or Gaussian reward noise',
  // Python estimators (pgtruth check my.py: src/verify/python)
  PYTHON_UNAVAILABLE: 'the Python interpreter, numpy, or a framework the module uses (torch, jax) is missing',
  PYTHON_ERROR: 'a Python estimator raised an exception (the message carries the traceback), or the Python worker died',
  PYTHON_TIMEOUT: 'a call into the Python worker exceeded the time limit (--timeout) and the worker was killed',
  // files and commands
  JSON_PARSE: 'the file is not valid JSON',
  JSON_TYPE: 'a JSON field has the wrong type or is missing',
  JSON_DUPLICATE_KEY: 'a JSON object has the same key twice (JSON.parse would silently keep the last)',
  JSON_TOO_DEEP: 'a JSON value is nested deeper than pgtruth reads (64 levels)',
  NUMERIC_OVERFLOW: 'a computed quantity (V, Q, A, J, the visitation, the gradient, the Fisher matrix) overflows double precision: the inputs are too large in magnitude',
  SOLVER_ILL_CONDITIONED: 'the system I − γP_π is so ill-conditioned (γ within about 1e-7 of 1) that double precision cannot give the requested accuracy, even after refinement',
  FILE_NOT_FOUND: 'the file cannot be read',
  CLI_USAGE: 'the command line is invalid',

  // learners (issue 11: src/algorithms)
  LEARNER_OPTIONS: 'a learner hyperparameter is unknown, of the wrong type, or out of range',
  // environments (src/env)
  ENV_UNKNOWN_ID: 'no environment has that id',
  ENV_OPTIONS: 'environment options are unknown, of the wrong type, or out of range',
  ENV_ACTION: 'an action does not fit the action space: wrong length, NaN or infinite, or a discrete action that is not an integer in range',
  ENV_NEEDS_RESET: 'step was called before the first reset, or after the episode ended (terminated or truncated) without a reset, or the environment was closed',
  ENV_DIVERGED: 'a step produced a non-finite reward or observation: the state left the range the dynamics can represent',
  ENV_MUJOCO_UNAVAILABLE: 'the optional package mujoco-js cannot be loaded (not installed, or it failed to start)',
  ENV_MUJOCO_MODEL: 'a MuJoCo model file cannot be found or compiled',
  // neural networks and optimizers (issue 10 item 2: src/policy/mlp.ts, heads; src/optim)
  NN_ARCHITECTURE: 'a network has invalid sizes, an unknown activation, or an invalid initialization (scheme, gain)',
  NN_INPUT: 'a network input (observations, actions, cotangents, tangents, weights, an output buffer) has the wrong length or a non-finite or out-of-range entry',
  NN_TAPE: 'a vector-Jacobian or Jacobian-vector product was asked for without a forward pass at the same parameters',
  OPTIM_ARGUMENT: 'an optimizer argument is invalid: a learning rate, beta, epsilon, clip norm or schedule length out of range, a gradient of the wrong length or not finite',
  // continuous actions (issue 10 item 4: src/policy/gaussian.ts, src/exact/lqr.ts, src/exact/gaussian-bandit.ts)
  POLICY_SCALE: "a Gaussian policy's log standard deviation is outside [-50, 50]",
  LQR_INVALID: 'an LQR instance or linear-Gaussian policy is invalid: a matrix has the wrong shape or a non-finite entry, Q, R or sigma0 is not symmetric, R is not positive definite, sigma0 is not positive semidefinite, a noise scale is negative, or gamma is outside (0, 1] (or 1 with noise)',
  BANDIT_INVALID: 'a continuous bandit is invalid: a reward or policy vector has the wrong length or a non-finite entry, H is not symmetric, sigma is not positive, or clip bounds are not ordered',
  QUADRATURE_ORDER: 'a quadrature order is not an integer in 1..200',
  LQR_UNSTABLE: 'the closed loop A - BK is not stable under the discount: sqrt(gamma) * spectral radius >= 1, so the cost is infinite',
  // exact learning curves and the HTML report (issue 11)
  CURVE_OPTIONS: 'an exact learning-curve option is invalid: the step is not positive and finite, the iteration count is not a positive integer within its limit, or the start parameters do not fit the MDP',
  REPORT_OUTPUT: 'an HTML report cannot be produced: no curve, a curve with no record, a record with a non-finite number, or the file cannot be written',
  // deep learners on environments (issue 12)
  TRAIN_OPTIONS: 'a deep-learner option is invalid: an unknown preset, algorithm or option, a count that is not a positive integer, a batch that the minibatch count does not divide, or a rate out of range',
  // pgtruth check for a learner's machinery (issue 11 item 6: src/verify/trpo-kind.ts, vmpo-kind.ts)
  VMPO_ENUMERATION: 'the V-MPO check enumerates every batch of its instance: the MDP given with --mdp has too many reachable (s, a) pairs',
  // pgtruth check with continuous and MLP policies (issue 10, item 5)
  PLUGIN_POLICY: "a user estimator's policy declaration is invalid: not one of tabular, mlp, gaussian, tanh-gaussian, gaussian-mlp, tanh-gaussian-mlp, or declared on a kind other than policy-gradient (or surrogate, for the continuous ones)",
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The details every error carries besides its message. */
export interface ErrorDetails {
  /** Where the problem is: an index path such as `transitions[2][1]` or `state 3`. */
  readonly where?: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
}

/**
 * The error class of pgtruth: `code` is stable, `where` names the offending index, `value`
 * the offending value.
 */
export class PgTruthError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly value: unknown;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(`[${code}] ${message}`);
    this.name = 'PgTruthError';
    this.code = code;
    this.where = details.where;
    this.value = details.value;
  }
}

/** Formats a number for an error message: full precision, NaN and infinities spelled out. */
export function show(x: unknown): string {
  if (typeof x === 'number') return Number.isFinite(x) ? String(x) : String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (x === undefined) return 'undefined';
  try {
    const s = JSON.stringify(x);
    return s === undefined ? String(x) : s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    // a cycle, or nesting too deep to print (String would recurse as deep)
    return Array.isArray(x) ? `an array of ${x.length} (too deeply nested to print)` : typeof x === 'object' && x !== null ? 'an object (too deeply nested or cyclic to print)' : typeof x;
  }
}

/** Throws `code` with a message; a one-liner for validation code. */
export function fail(code: ErrorCode, message: string, details: ErrorDetails = {}): never {
  throw new PgTruthError(code, message, details);
}

/** True when `e` is a {@link PgTruthError}, optionally with the given code. */
export function isPgTruthError(e: unknown, code?: ErrorCode): e is PgTruthError {
  return e instanceof PgTruthError && (code === undefined || e.code === code);
}
