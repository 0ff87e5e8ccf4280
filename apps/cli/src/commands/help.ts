/** The "Examples" and "Exit codes" part of a command's --help. */
export function helpText(examples: readonly string[], failure = 'an internal error'): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes: 0 success; 1 ${failure}; 2 invalid input (one line per problem on stderr).\n`;
}
