/**
 * `pgtruth mdp list | show NAME | check FILE` — the built-in MDPs and MDP file validation.
 * @module
 */
import { fail } from '../../errors.js';
import { builtinMDP, LIBRARY } from '../../mdp/library/index.js';
import { stringifyMDP } from '../../mdp/json.js';
import { stateLabel } from '../../mdp/model.js';
import { table } from '../../report/format.js';
import { parse } from '../args.js';
import { loadMDP } from '../io.js';

export const MDP_HELP = `pgtruth mdp list            the built-in MDPs
pgtruth mdp show NAME       a built-in MDP as JSON (the file format pgtruth reads)
pgtruth mdp check FILE      validate an MDP file and summarize it`;

/** Runs `pgtruth mdp`. */
export function mdpCommand(argv: string[], write: (s: string) => void): number {
  const { values, positionals } = parse(argv, { help: { type: 'boolean', short: 'h' } }, 'mdp');
  if (values.help || positionals.length === 0) { write(MDP_HELP + '\n'); return positionals.length === 0 && !values.help ? 2 : 0; }
  const [sub, arg, ...rest] = positionals;
  if (rest.length) fail('CLI_USAGE', `mdp ${sub} takes one argument, got extra: ${rest.join(' ')}`);
  if (sub === 'list') {
    write(table(['name', 'description'], LIBRARY.map((e) => [e.name, e.description])) + '\n');
    return 0;
  }
  if (sub === 'show') {
    if (!arg) fail('CLI_USAGE', 'mdp show needs a name (see pgtruth mdp list)');
    write(stringifyMDP(builtinMDP(arg)));
    return 0;
  }
  if (sub === 'check') {
    if (!arg) fail('CLI_USAGE', 'mdp check needs a file');
    const { mdp, label } = loadMDP(arg);
    const nnz = mdp.transitions.val.length;
    write(`${label}: valid MDP — ${mdp.numStates} states, ${mdp.numActions} actions, ${nnz} non-zero transitions, γ = ${mdp.gamma}` +
      (mdp.terminalStates.length ? `, terminal: ${mdp.terminalStates.map((s) => stateLabel(mdp, s)).join(', ')}` : '') +
      (mdp.rewardNoise ? `, reward noise ${JSON.stringify(mdp.rewardNoise)}` : '') + '\n');
    return 0;
  }
  return fail('CLI_USAGE', `unknown mdp subcommand "${sub}" (list, show, check)`);
}
