/**
 * Argument parsing on top of node:util's parseArgs, with usage errors as typed errors.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fail } from '../errors.js';

/** Parses `argv` against `options`; unknown options and missing values are `CLI_USAGE` errors. */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, command: string): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    return fail('CLI_USAGE', `${command}: ${(e as Error).message.replace(/\. To specify.*$/s, '')} (see pgtruth ${command} --help)`);
  }
}
