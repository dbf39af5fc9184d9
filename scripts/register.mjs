// Registers the module hook that lets Node run a chapter: `tsx --import ./scripts/register.mjs chapters/01-rl-basics.md`.
// `pnpm tsx` and `pnpm chapter` pass it through package.json scripts, `npx tsx` through `.npmrc` node-options.
import { register } from 'node:module';

register('./md-hooks.mjs', import.meta.url);
