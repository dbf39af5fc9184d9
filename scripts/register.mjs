// Registers the module hook that lets Node run a chapter: `tsx --import ./scripts/register.mjs chapters/01-rl-basics.md`.
// `pnpm tsx` passes it in its package.json script; `pnpm exec tsx` and `npx tsx` load it through the
// `--import` that pnpm-workspace.yaml's nodeOptions and .npmrc's node-options put in NODE_OPTIONS.
import { register } from 'node:module';

register('./md-hooks.mjs', import.meta.url);
