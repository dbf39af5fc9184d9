/**
 * `pnpm tangle`: write `src/` from `chapters/`.
 *
 *     pnpm tangle                      tangle (refuses to overwrite hand edits)
 *     pnpm tangle --force              tangle, overwriting hand edits
 *     pnpm tangle --check              write nothing; fail if src/ is out of date
 *     pnpm tangle --where src/x.ts:57  print the chapter line of a src/ line
 */
import { parseCommandLine, runCommand, UserError } from './cli.ts';
import { describeFailure } from './tangle/errors.ts';
import { checkSource, formatPlace, tangleToDisk, whereIs, type Report } from './tangle/index.ts';

const command = {
  name: 'pnpm tangle',
  usage: [
    'usage: pnpm tangle [--force] [--check] [--where <file>:<line>] [--root <dir>]',
    '  (no flag)        write src/ from chapters/ (refuses to overwrite hand edits)',
    '  --force          write src/, overwriting hand edits',
    '  --check          write nothing; fail if src/ is out of date',
    '  --where F:LINE   print the chapter line of a src/ line',
    '  --root DIR       the repository (default: the current directory)',
  ].join('\n'),
};

function main(argv: string[]): number {
  const { values } = parseCommandLine(command, {
    args: argv,
    options: {
      check: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      where: { type: 'string' },
      root: { type: 'string', default: process.cwd() },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const root = values.root;
  if (values.where !== undefined) return where(root, values.where);
  if (values.check) return print(checkSource(root));
  return print(tangleToDisk(root, { force: values.force }));
}

/** `--where file:line`. */
function where(root: string, argument: string): number {
  const match = /^(.+):(\d+)$/.exec(argument);
  if (!match) throw new UserError(`--where expects <file>:<line>, e.g. src/rl/gridworld.ts:57`);
  const place = whereIs(root, match[1]!, Number(match[2]));
  if (!place) {
    console.error(`${argument}: no chapter line (not a generated file, or a header line)`);
    return 1;
  }
  console.log(formatPlace(place));
  return 0;
}

function print(report: Report): number {
  for (const line of report.lines) (report.ok ? console.log : console.error)(line);
  return report.ok ? 0 : 1;
}

try {
  process.exitCode = await runCommand(command, () => main(process.argv.slice(2)));
} catch (error) {
  // Whatever escapes the operations' own reports: one line (the stack with RLHF_DEBUG=1).
  console.error(process.env.RLHF_DEBUG === '1' ? error : `tangle: ${describeFailure(process.cwd(), error)}`);
  process.exitCode = 1;
}
