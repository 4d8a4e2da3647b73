/**
 * The `pgtruth` command: argument dispatch and error printing only.
 * @module
 */
import { readFileSync } from 'node:fs';
import { PgTruthError } from '../errors.js';
import { exactCommand } from './commands/exact.js';
import { mdpCommand } from './commands/mdp.js';
import { mirrorCommand } from './commands/mirror.js';
import { checkCommand } from './commands/check.js';
import { reportCommand } from './commands/report.js';
import { trainCommand } from './commands/train.js';
import { trainEnv } from './commands/train-env.js';

/** The package version, read from package.json. */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const MAIN_HELP = `pgtruth — ground truth for policy-gradient reinforcement learning

Usage:
  pgtruth report [--json] [--verbose] [--seed N] [--only PREFIX] [--exact] [--scale X] [--workers N] [--list]
      run the default suite of claims and print the verdict table (npm start)
  pgtruth exact <mdp.json | builtin:NAME> --policy <policy.json | uniform> [--json] [--fisher] [--rational] [--solver auto|dense|iterative]
      exact V, Q, A, d, η, J and ∇J of a policy
  pgtruth mdp list | show NAME | check FILE
      the built-in MDPs, and MDP file validation
  pgtruth check <module.ts | module.js | module.py[:function]> [--json] [--verbose] [--seed N] [--samples N] [--resolution F] [--budget S] [--mdp FILE] [--workers N] [--python PATH] [--timeout S]
      run every applicable claim on your own estimators (policy-gradient, advantage, kl, surrogate, group), in TypeScript, JavaScript or Python
  pgtruth mirror <mdp.json | builtin:NAME> --drift trivial|ppo:ε|kl:c|tv:c --neighbourhood none|kl:δ|maxkl:δ|tv:δ --iterations N [--json] [--svg FILE]
      exact mirror learning: J, the drift, Theorem 5.4's bound and whether it held, the gap to J*
  pgtruth train <mdp.json | builtin:NAME> --algo reinforce|a2c|trpo|ppo|vmpo [--NAME VALUE …] [--seed N] [--json] [--out FILE]
      train a tabular policy with a learner built on the verified estimators; exact learning curve
  pgtruth train --env ID --algo ppo|a2c|reinforce|trpo|vmpo [--steps N] [--seed N] [--seeds K] [--preset cleanrl|lehmann2024] [--json] [--html FILE]
      a deep learner on CartPole-v1, Acrobot-v1, Pendulum-v1, … (progress bar with return and KL)

  pgtruth <command> --help     help on one command
  pgtruth --version

Exit status: 0 success, 1 a claim failed, 2 invalid input (one line on stderr says what and where).`;

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(MAIN_HELP + '\n');
        return cmd === undefined ? 2 : 0;
      case '--version':
      case '-v':
        out(version() + '\n');
        return 0;
      case 'report':
        return await reportCommand(rest, out);
      case 'exact':
        return exactCommand(rest, out);
      case 'mdp':
        return mdpCommand(rest, out);
      case 'mirror':
        return mirrorCommand(rest, out);
      case 'check':
        return await checkCommand(rest, out);
      case 'train':
        // an environment (--env ID): the deep learners of src/algorithms/deep; otherwise a tabular MDP with its exact learning curve
        return rest.some((a) => a === '--env' || a.startsWith('--env=')) ? await trainEnv(rest, out) : trainCommand(rest, out);
      default:
        err(`pgtruth: [CLI_USAGE] unknown command "${cmd}" (commands: report, exact, check, mdp, mirror, train; see pgtruth --help)\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof PgTruthError) {
      err(`pgtruth: ${e.message.replace(/\n/g, ' ')}\n`);
      return 2;
    }
    throw e;
  }
}
