// `pnpm chapter 01`: run one chapter's program, as `pnpm tsx chapters/01-rl-basics.md` does.
import { parseArgs } from 'node:util';
import { findChapter, runChapter } from './run-chapter.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { backend: { type: 'string', short: 'b' }, help: { type: 'boolean', short: 'h' } },
});

if (values.help || positionals.length !== 1) {
  console.error('usage: pnpm chapter <number|name> [--backend node|wasm|cpu]');
  process.exit(values.help ? 0 : 2);
}
if (values.backend) process.env.RLHF_BACKEND = values.backend;
await runChapter(findChapter(positionals[0]));
