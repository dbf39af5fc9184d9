// `pnpm chapter 01`: run one chapter's program, as `pnpm tsx chapters/01-rl-basics.md` does.
import { parseArgs } from 'node:util';
import { findChapter, runChapter } from './run-chapter.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string', short: 'b' },
    fresh: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help || positionals.length !== 1) {
  console.error('usage: pnpm chapter <number|name> [--backend node|wasm|cpu] [--fresh]');
  console.error('  --fresh  train the base models again instead of loading them from .cache/keep/');
  process.exit(values.help ? 0 : 2);
}
if (values.backend) process.env.RLHF_BACKEND = values.backend;
if (values.fresh) process.env.RLHF_KEEP = '0';
await runChapter(findChapter(positionals[0]));
