/**
 * pgtruth — ground truth for policy-gradient reinforcement learning.
 *
 * The public API, by topic: MDPs and their builders; exact arithmetic; policies (tabular, MLP,
 * Gaussian); exact truth; sampling; estimators; statistics; verification (`expectUnbiased`,
 * `checkModule` and the types an estimator module implements); learners; environments; mirror
 * learning; report. Everything else — solver kernels, sampler internals, per-row policy kernels,
 * the claims' building blocks — is reachable by subpath (`pgtruth/exact`, `pgtruth/linalg`, …, or
 * any file as `pgtruth/internal/<folder>/<file>.js`), and is not part of the stable surface.
 * fast-check arbitraries live in `pgtruth/arbitraries`.
 *
 * This file lists every public name explicitly (no `export *`), one block per topic, so the
 * surface grows only on purpose: property-tests/public-api.test.ts compares it with the committed
 * list property-tests/public-api.txt. To add a name, put it in its topic's block (the docs group
 * the API reference by these blocks) and add it to that list.
 *
 * @module pgtruth
 */

// ─── Topic: Errors ─────────────────────────────────────────────────────────────────────────────
// One error class with a stable `code` and a message naming the offending place and value.
export { PgTruthError, ERROR_CODES, isPgTruthError } from './errors.js';
export type { ErrorCode, ErrorDetails } from './errors.js';

// ─── Topic: MDPs and builders ──────────────────────────────────────────────────────────────────
// The finite MDP, its JSON format, the library of classic MDPs and random generators, and the exact
// (rational) MDP.
export {
  createMDP, withChanges, transitionProbability, denseTransitions, stateLabel, actionLabel,
} from './mdp/model.js';
export type { FiniteMDP, MDPSpec, RewardNoise, TransitionsInput } from './mdp/model.js';
export { mdpFromJSON, mdpToJSON, parseMDP, stringifyMDP } from './mdp/json.js';
export { LIBRARY, builtinMDP } from './mdp/library/index.js';
export type { LibraryEntry } from './mdp/library/index.js';
export { chain } from './mdp/library/chain.js';
export type { ChainSpec } from './mdp/library/chain.js';
export { shortCorridor } from './mdp/library/corridor.js';
export { garnet } from './mdp/library/garnet.js';
export type { GarnetSpec } from './mdp/library/garnet.js';
export {
  gridworld, GRID_ACTIONS, benchmarkGridworld, suttonBartoGridworld4x4, suttonBartoGridworld5x5,
} from './mdp/library/gridworld.js';
export type { GridworldSpec, Cell } from './mdp/library/gridworld.js';
export { contextualBandit, builtinContextualBandit } from './mdp/library/bandit.js';
export type { ContextualBanditSpec } from './mdp/library/bandit.js';
export { tokenMDP, builtinTokenMDP, BUILTIN_TOKEN_MDP_SPEC } from './mdp/library/token.js';
export type { TokenMDPSpec } from './mdp/library/token.js';
export { rationalMDPFromJSON, liftMDP, mapMDP, rationalToFloatSpec } from './mdp/generic.js';
export type { MDPIn } from './mdp/generic.js';

// ─── Topic: Exact arithmetic ───────────────────────────────────────────────────────────────────
// Scalar fields the exact computations run in: floating point, exact Fractions, dual numbers
// (forward-mode derivatives).
export type { Field, AnalyticField } from './field/field.js';
export { NumberField } from './field/number.js';
export { FractionField, rational } from './field/fraction.js';
export type { Fraction } from './field/fraction.js';
export { Dual, DualField, variable, constant } from './field/dual-numbers.js';

// ─── Topic: Policies: tabular ──────────────────────────────────────────────────────────────────
// The per-transition policy contract and the tabular policies (softmax, direct, log-linear).
export type { Policy, Parameterization, PolicyKind } from './policy/types.js';
export { softmaxPolicy } from './policy/softmax.js';
export { directPolicy, checkPolicyTable } from './policy/direct.js';
export { logLinearPolicy } from './policy/loglinear.js';
export { policyFromJSON } from './policy/json.js';
export { shortCorridorPolicy, shortCorridorTheta } from './policy/library.js';
export { logProbs, scoreSum } from './policy/score-sum.js';

// ─── Topic: Policies: MLP ──────────────────────────────────────────────────────────────────────
// The float64 multilayer perceptron and its categorical head.
export { Mlp, initMlp, ACTIVATIONS } from './policy/mlp.js';
export type { Activation, ActivationName, MlpInitOptions, MlpLayer } from './policy/mlp.js';
export type { NeuralPolicy, NeuralPolicyKind } from './policy/neural.js';
export { categoricalMlpPolicy } from './policy/categorical.js';

// ─── Topic: Policies: Gaussian ─────────────────────────────────────────────────────────────────
// Diagonal Gaussian and tanh-squashed Gaussian policies: MLP heads and sampled linear-Gaussian
// policies.
export { gaussianMlpPolicy, tanhGaussianMlpPolicy } from './policy/gaussian-head.js';
export type { GaussianMlpPolicy, GaussianHeadOptions } from './policy/gaussian-head.js';
export {
  sampledGaussianPolicy, linearGaussianHead, constantGaussianHead,
} from './policy/gaussian-samples.js';
export type { GaussianMeanHead } from './policy/gaussian-samples.js';
export { LOG_STD_BOUND } from './policy/gaussian.js';

// ─── Topic: Exact truth ────────────────────────────────────────────────────────────────────────
// Exact quantities on small MDPs: V, Q, A, visitation, J, ∇J, Fisher, divergences, control, bounds,
// advantage expectations, exact rational mode; LQR, Gaussian bandits, MLP policies on tabular MDPs,
// group responses.
export { evaluatePolicy, actionValues } from './exact/evaluate.js';
export type { Evaluation, EvaluateOptions, SolveReport, SolverChoice } from './exact/types.js';
export { forgetSystemPlan } from './exact/system.js';
export { objective, policyGradient } from './exact/gradient.js';
export { gradientForwardMode, gradientFiniteDifferences } from './exact/autodiff.js';
export { evaluateIn } from './exact/generic.js';
export type { EvaluationIn } from './exact/generic.js';
export { fisherMatrix, naturalGradient } from './exact/fisher.js';
export {
  klPerState, tvPerState, entropyPerState, expectedAdvantage, divergenceSummary,
} from './exact/divergence.js';
export type { DivergenceSummary } from './exact/divergence.js';
export { weightedKLHessian } from './exact/klhessian.js';
export { valueIteration, policyIteration, greedyPolicy } from './exact/control.js';
export type { ControlResult } from './exact/control.js';
export {
  entropyGradient, klGradient, clippedObjectiveGradient, decisionVisitation,
} from './exact/objectives.js';
export { surrogateObjective, trpoBound, trpoPenalty } from './exact/bounds.js';
export type { TRPOBound } from './exact/bounds.js';
export { advantageExpectation } from './exact/advantage-expectation.js';
export type { AdvantageDefinition, AdvantageExpectation } from './exact/advantage-expectation.js';
export {
  evaluateExact, exactPolicyGradient, checkPolicyGradientTheoremExact, rationalPolicyFromJSON,
} from './exact/rational.js';
export type { ExactEvaluation } from './exact/rational.js';
export {
  lqr, lqrCost, lqrCostToGo, lqrEvaluate, lqrValueMatrix, lqrStabilityRadius,
} from './exact/lqr.js';
export type { Lqr, LqrSpec, LqrEvaluation } from './exact/lqr.js';
export {
  gaussianBanditObjective, tanhGaussianBandit, clippedGaussianBandit, tanhGaussianEntropy,
  quadraticReward, quadraticRewardAt, squaredDistanceReward,
} from './exact/gaussian-bandit.js';
export type { QuadraticReward, BanditObjective, ScalarObjective } from './exact/gaussian-bandit.js';
export { continuousContextualBandit, mlpBanditObjective, mlpBanditGradientByDifferences } from './exact/gaussian-mlp-bandit.js';
export type { ContinuousContextualBandit, ContinuousContextualBanditSpec, MlpBanditObjective } from './exact/gaussian-mlp-bandit.js';
export {
  mlpTabularPolicy, mlpLogits, mlpPolicyTable, oneHotFeatures, logitPolicy, neuralObjective,
  neuralPolicyGradient, neuralFisherMatrix, neuralKlPerState, neuralEntropyPerState,
  pullbackToWeights,
} from './exact/neural.js';
export type { MlpTabularPolicy, NeuralGradient } from './exact/neural.js';
export { enumerateResponses, expectOverGroups, rewardOutcomes } from './exact/responses.js';
export type {
  Response, ResponseTable, RewardOutcomes, EnumerateOptions,
} from './exact/responses.js';

// ─── Topic: Sampling ───────────────────────────────────────────────────────────────────────────
// Seeded rollouts into a `Batch` (episodes, segments, groups, LQR and bandit draws) and the worker
// pool.
export { validateBatch, allocateBatch, sliceBatch, episodeBounds } from './sampling/batch.js';
export type { Batch } from './sampling/batch.js';
export { sampleEpisodes } from './sampling/episodes.js';
export type { EpisodeOptions } from './sampling/episodes.js';
export { SegmentCollector } from './sampling/segments.js';
export type { SegmentOptions } from './sampling/segments.js';
export { sampleGroups } from './sampling/groups.js';
export type { GroupBatch, GroupSpec } from './sampling/groups.js';
export { sampleGaussianBandit } from './sampling/bandit.js';
export type { BanditDraws, BanditSamplingOptions } from './sampling/bandit.js';
export { sampleContextualBandit } from './sampling/contextual-bandit.js';
export type { ContextualDraws } from './sampling/contextual-bandit.js';
export { sampleLqrEpisodes, covarianceRoot } from './sampling/lqr.js';
export type { LqrEpisodes, LqrStopping } from './sampling/lqr.js';
export { SamplerPool, MAX_WORKERS, mapBatches } from './sampling/worker-pool.js';
export type { PoolOptions, MapOptions } from './sampling/worker-pool.js';
export { mapBatchesSync } from './sampling/map.js';
export type { BatchEstimates, BatchTask, TaskContext, TaskRef } from './sampling/map.js';
export type { BatchPlan } from './sampling/plan.js';
export type { SamplingSpec, Seed } from './sampling/spec.js';

// ─── Topic: Estimators ─────────────────────────────────────────────────────────────────────────
// Pure formulas over per-transition arrays: returns, advantages, policy-gradient coefficients,
// surrogates, KL, entropy, V-MPO, group-relative estimators.
export { discountWeights, discountWeighted } from './estimators/discount.js';
export {
  gaeFromValues, returnsFromRewards, valueTargetsFromAdvantages,
} from './estimators/core-advantages.js';
export {
  policyGradientCoefficients, ppoClipCoefficients, klK3Coefficients, klK3FromLogProbs,
  meanKlK3FromLogProbs,
} from './estimators/coefficients.js';
export type { PpoClipCoefficients } from './estimators/coefficients.js';
export { discountedReturn, rewardToGo, nStepReturns, lambdaReturns } from './estimators/returns.js';
export { gae, nStepAdvantages, tdErrors, valueTargets } from './estimators/advantages.js';
export { normalizeAdvantages } from './estimators/normalize.js';
export {
  constantBaseline, optimalConstantBaseline, optimalStateBaseline, optimalStateBaselineFromSamples,
} from './estimators/baselines.js';
export {
  reinforceRewardToGo, reinforceTotalReturn, reinforceRewardToGoNoDiscountWeight,
} from './estimators/reinforce.js';
export {
  actorCriticGradient, gaeActorCriticGradient, nStepActorCriticGradient,
} from './estimators/actorcritic.js';
export {
  importanceRatios, offPolicyGradientPerDecision, offPolicyGradientWholeTrajectory,
} from './estimators/offpolicy.js';
export { logRatios } from './estimators/score.js';
export type { Surrogate } from './estimators/surrogate.js';
export { ppoClipSurrogate } from './estimators/ppo.js';
export { trpoSurrogate, fisherVectorProduct } from './estimators/trpo.js';
export { stateKl, meanKl, meanKlGradient } from './estimators/statekl.js';
export { entropyBonus } from './estimators/entropy.js';
export { klPenalty } from './estimators/klpenalty.js';
export { klK1, klK2, klK3 } from './estimators/kl.js';
export {
  vmpoWeights, vmpoTopHalf, vmpoPolicyLoss, vmpoTemperatureLoss, vmpoTrustRegionLoss,
} from './estimators/vmpo.js';
export type { VmpoTemperatureLoss, VmpoTrustRegionLoss } from './estimators/vmpo.js';
export {
  grpoAdvantages, drGrpoAdvantages, rlooAdvantages, reinforcePlusPlusAdvantages, groupMeans,
} from './estimators/group.js';
export type { GrpoOptions } from './estimators/group.js';
export {
  aggregateLoss, aggregationWeights, tokenPolicyGradient, responseLengths, sequenceToTokens,
} from './estimators/aggregation.js';
export type { LossAggregation, TokenMask } from './estimators/aggregation.js';
export { referenceKlTerm, klRewardPenalty, tokenRewardToGo } from './estimators/refkl.js';
export type { ReferenceKlTerm } from './estimators/refkl.js';

// ─── Topic: Statistics ─────────────────────────────────────────────────────────────────────────
// The seeded RNG, means and covariances, multivariate tests with stated power, the false-alarm
// budget.
export { Rng } from './stats/rng.js';
export { summarize, MeanCovariance } from './stats/summary.js';
export {
  meanTest, scalarMeanTest, varianceOrderTest, sidak, tCritical, DETECTION_POWER,
  SUITE_FALSE_ALARM,
} from './stats/tests.js';
export type { TestResult, MeanTestOptions } from './stats/tests.js';
export { normalCdf, normalQuantile } from './stats/distributions.js';

// ─── Topic: Verification ───────────────────────────────────────────────────────────────────────
// Check an estimator: `expectUnbiased` in a test suite, `checkModule` as `pgtruth check` runs it;
// the types an estimator module implements; claims, the runner and the mutation catalogue.
export { expectUnbiased, checkModule, DEFAULT_MIN_SAMPLES } from './verify/check.js';
export type { CheckOptions } from './verify/check.js';
export { loadEstimators, collectEstimators } from './verify/plugin.js';
export type {
  UserEstimator, PolicyGradientEstimator, AdvantageEstimator, KLEstimator, SurrogateEstimator,
  SurrogateDeclaration, PolicyView, LoadedEstimator,
} from './verify/plugin.js';
export type { GroupEstimator } from './verify/group-kind.js';
export type { ValueLossEstimator, ActorCriticEstimator, LossReduction } from './verify/value-loss-kind.js';
export type {
  TrpoFvpEstimator, TrpoFvpWeightsEstimator, TrpoFvpBatchEstimator, TrpoCgEstimator, TrpoLineSearchEstimator, TrpoMachinery,
} from './verify/trpo-kind.js';
export type { VmpoLossEstimator, VmpoDuals } from './verify/vmpo-kind.js';
export type {
  GaussianPolicyGradientEstimator, GaussianPolicyView, ContinuousBatch, PolicyDeclaration,
} from './verify/continuous-kind.js';
export type { GaussianSurrogateEstimator, EntropyDeclaration } from './verify/continuous-surrogate.js';
export type { MlpPolicyGradientEstimator, MlpPolicyView } from './verify/mlp-kind.js';
export type { GaussianMlpPolicyGradientEstimator, GaussianMlpPolicyView, GaussianMlpSurrogateEstimator } from './verify/gaussian-mlp-kind.js';
export type {
  Claim, Check, CheckStatistics, Relation, RunContext, Diagnosis,
} from './verify/claim.js';
export { runClaim, runClaims, allPassed, falseAlarmBound } from './verify/runner.js';
export type { ClaimResult, RunOptions, VerdictKind } from './verify/runner.js';
export { defaultClaims, exactSuite, statisticalSuite } from './verify/claims/index.js';
export { MUTATIONS, findMutation } from './verify/mutations.js';
export type { Mutation } from './verify/mutations.js';
export { standardInstances, libraryInstances, randomInstances } from './verify/instances.js';
export type { Instance } from './verify/instances.js';

// ─── Topic: Learners ───────────────────────────────────────────────────────────────────────────
// REINFORCE, A2C, TRPO, PPO and V-MPO on tabular MDPs with exact learning curves, GRPO on
// contextual bandits and token MDPs, the deep learners on environments (MLP actor and critic),
// exact policy-gradient curves, the TRPO step, and the optimizers.
export { LEARNERS, learner } from './algorithms/index.js';
export type { Learner } from './algorithms/index.js';
export type { Hyperparameters, LearnerResult, LearnerRunOptions } from './algorithms/common.js';
export { runReinforce, REINFORCE_DEFAULTS } from './algorithms/reinforce.js';
export type { ReinforceHyperparameters } from './algorithms/reinforce.js';
export { runA2c, A2C_DEFAULTS } from './algorithms/a2c.js';
export type { A2cHyperparameters } from './algorithms/a2c.js';
export { runTrpo, TRPO_DEFAULTS } from './algorithms/trpo.js';
export type { TrpoHyperparameters } from './algorithms/trpo.js';
export { runPpo, PPO_DEFAULTS } from './algorithms/ppo.js';
export type { PpoHyperparameters } from './algorithms/ppo.js';
export { runVmpo, VMPO_DEFAULTS } from './algorithms/vmpo.js';
export type { VmpoHyperparameters } from './algorithms/vmpo.js';
export { ValueTable } from './algorithms/critic.js';
export { mlpStatePolicy } from './algorithms/mlp-policy.js';
export { runGrpo, runGroupVariants, GRPO_DEFAULTS, GROUP_VARIANTS } from './algorithms/grpo.js';
export type { GrpoHyperparameters, GrpoRunOptions, GroupVariant } from './algorithms/grpo.js';
export { trainDeep } from './algorithms/deep/train.js';
export { trainPpo } from './algorithms/deep/ppo.js';
export { trainTrpo } from './algorithms/deep/trpo.js';
export { trainVmpo } from './algorithms/deep/vmpo.js';
export type { TrainOptions, TrainResult, UpdateLog } from './algorithms/deep/run.js';
export { preset, DEEP_ALGOS, PRESET_NAMES } from './algorithms/deep/config.js';
export type { DeepConfig, DeepAlgo, PresetName } from './algorithms/deep/config.js';
export type { Curve, CurveRecord } from './algorithms/curve.js';
export { exactPGCurve } from './algorithms/exact-pg.js';
export type { ExactPGOptions, ExactMethod, ExactIterate } from './algorithms/exact-pg.js';
export { trpoStep } from './algorithms/trpo-step.js';
export type { TrpoStepOptions, TrpoStepResult } from './algorithms/trpo-step.js';
export { backtrackingLineSearch } from './algorithms/line-search.js';
export type {
  LineSearchEvaluation, LineSearchOptions, LineSearchResult,
} from './algorithms/line-search.js';
export { Adam } from './optim/adam.js';
export type { AdamOptions } from './optim/adam.js';
export { sgdStep } from './optim/sgd.js';
export { clipGradNorm, globalNorm } from './optim/clip.js';
export { linearDecay } from './optim/schedule.js';

// ─── Topic: Environments ───────────────────────────────────────────────────────────────────────
// Gymnasium-shaped environments: the interface, time limit, vectorized copies, the tabular MDP as
// an environment, classic control and MuJoCo.
export { BaseEnv } from './env/env.js';
export type { Env, Action, StepResult, StepSignal } from './env/env.js';
export { boxSpace, discreteSpace, sampleSpace, spaceSize } from './env/spaces.js';
export type { Space, BoxSpace, DiscreteSpace } from './env/spaces.js';
export { TimeLimit } from './env/time-limit.js';
export { VectorEnv } from './env/vector.js';
export { TabularEnv, tabularEnv } from './env/tabular.js';
export type { TabularEnvOptions, TabularObservation } from './env/tabular.js';
export { CartPoleEnv } from './env/cartpole.js';
export { AcrobotEnv } from './env/acrobot.js';
export { PendulumEnv } from './env/pendulum.js';
export { MountainCarContinuousEnv } from './env/mountain-car.js';
export { HalfCheetahEnv } from './env/mujoco/half-cheetah.js';
export { HopperEnv } from './env/mujoco/hopper.js';
export { MujocoEnv } from './env/mujoco/base.js';
export {
  ENV_IDS, ENV_SPECS, envSpec, makeEnv, makeClassicEnv, makeVectorEnv,
} from './env/registry.js';
export type { EnvSpec, MakeEnvOptions } from './env/registry.js';
export { loadMujoco, setMujocoLoader } from './env/mujoco/loader.js';
export type { MujocoLoader } from './env/mujoco/loader.js';

// ─── Topic: Mirror learning ────────────────────────────────────────────────────────────────────
// Drifts, neighbourhoods, the exact mirror-learning update and iteration, its instances (GPI, PPO,
// TRPO, MDPO) and the drift conditions.
export { weightedDrift, driftPerState } from './mirror/drift-functional.js';
export type { Drift, TermShape, ActionContext } from './mirror/drift-functional.js';
export { trivialDrift, klDrift, tvDrift, customDrift } from './mirror/builtin-drifts.js';
export type { CustomDriftSpec } from './mirror/builtin-drifts.js';
export { ppoDrift, ppoDecomposition } from './mirror/ppo.js';
export {
  noNeighbourhood, klBall, tvBall, averageKLBall, maxKLBall, customNeighbourhood,
} from './mirror/neighbourhood.js';
export type { Neighbourhood } from './mirror/neighbourhood.js';
export { mirrorUpdate } from './mirror/update.js';
export type { MirrorConfig, UpdateResult } from './mirror/update.js';
export { mirrorLearning, suboptimalMass } from './mirror/iterate.js';
export type { MirrorLearningOptions, MirrorRecord, MirrorRun } from './mirror/iterate.js';
export {
  generalizedPolicyIteration, ppoInstance, trpoInstance, mdpoInstance, mirrorInstance,
  describeConfig,
} from './mirror/instances.js';
export { driftConditions } from './mirror/conditions.js';
export type { DriftConditionReport } from './mirror/conditions.js';
export { expectedPPODrift, samplePPODrift } from './mirror/sampled.js';
export type { DriftSamples } from './mirror/sampled.js';
export { checkStateDistribution, stateWeights } from './mirror/weights.js';
export type { StateDistribution } from './mirror/weights.js';

// ─── Topic: Report ─────────────────────────────────────────────────────────────────────────────
// Verdict tables and JSON, the mutation table, SVG plots and the self-contained HTML pages, and the
// command line.
export {
  verdictTable, verdictJSON, VERDICT_LEGEND, mutationTable, mutationCoverage,
} from './report/verdicts.js';
export type { MutationCoverage } from './report/verdicts.js';
export { linePlotSVG } from './report/svg.js';
export type { Series, Reference, PlotSpec } from './report/svg.js';
export { htmlPage, writeHtml, learningCurvesHtml, writeLearningCurvesHtml } from './report/html.js';
export { progressBar } from './report/progress.js';
export { main as runCli } from './cli/main.js';
