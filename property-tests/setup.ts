// Every property test runs with a fixed fast-check seed: the suite is deterministic.
// Override with FC_SEED=<n> to explore other cases locally.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20240124), numRuns: 60 });
