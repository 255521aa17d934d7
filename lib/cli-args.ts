/**
 * The command-line frame the bin/ CLIs share: parse the arguments (positionals
 * allowed), print the usage after a parse error and exit 2, print the help on
 * --help and exit 0.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Prints the message on stderr and exits 2 (bad input). */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** The parsed arguments; `options` must include `help: { type: 'boolean' }`. */
export function parseCli<const T extends Options>(options: T, usage: string, help = usage): ReturnType<typeof parseArgs<{ allowPositionals: true; options: T }>> {
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: T }>>;
  try {
    parsed = parseArgs<{ allowPositionals: true; options: T }>({ allowPositionals: true, options });
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    process.exit(0);
  }
  return parsed;
}
