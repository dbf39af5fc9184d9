/**
 * The built site, `.vitepress/dist`, served the way a static host serves it:
 * clean URLs (`/05-dpo` is `05-dpo.html`, as VitePress's `cleanUrls` expects),
 * on 127.0.0.1 at a free port.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Where `pnpm docs:build` writes the site. */
export const DIST = join(ROOT, '.vitepress', 'dist');

export interface Server {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serve `DIST`; throws if the site has not been built. */
export async function serveSite(): Promise<Server> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(`${join(DIST, 'index.html')} is missing: run pnpm docs:build first (pnpm test:browser does)`);
  }
  const serve = sirv(DIST, { dev: false, extensions: ['html'] });
  const server = createServer((req, res) =>
    serve(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
