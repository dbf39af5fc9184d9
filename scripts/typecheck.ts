/**
 * `pnpm typecheck`: refresh `.tangle/read-only/` (without touching `src/`),
 * run `tsc --noEmit`, and follow every diagnostic in a generated file with the
 * chapter line it comes from. Exits with tsc's status.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, runCommand } from './cli.ts';
import { annotateDiagnostic } from './tangle/annotate.ts';
import { emitReadOnly } from './tangle/index.ts';

const command = {
  name: 'pnpm typecheck',
  usage: 'usage: pnpm typecheck   (tsc --noEmit over src/, scripts/ and test/; errors in src/ name their chapter line)',
};

function main(root: string): number {
  const emitted = emitReadOnly(root);
  if (!emitted.ok) {
    for (const line of emitted.lines) console.error(line);
    return 1;
  }
  const windows = process.platform === 'win32';
  const local = join(root, 'node_modules', '.bin', windows ? 'tsc.cmd' : 'tsc');
  const result = spawnSync(
    existsSync(local) ? local : 'tsc',
    ['--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'],
    { cwd: root, encoding: 'utf8', shell: windows },
  );
  if (result.error) {
    console.error(`cannot run tsc: ${result.error.message}`);
    return 1;
  }
  const output = `${result.stdout}${result.stderr}`.replace(/\n$/, '');
  if (output) {
    console.log(output.split('\n').map((line) => annotateDiagnostic(root, line)).join('\n'));
  }
  if (result.status === 0) console.log('typecheck: no errors');
  return result.status ?? 1;
}

process.exitCode = await runCommand(command, () => {
  parseCommandLine(command, { options: { help: { type: 'boolean', short: 'h' } } });
  return main(process.cwd());
});
