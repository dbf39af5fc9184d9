import { register } from 'node:module';
register('./md-hooks.mjs', import.meta.url);
