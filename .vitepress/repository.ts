/**
 * The book's repository on the web, where "Source", the repository icon, every
 * "Edit this chapter" link and the links out of `chapters/` point.
 *
 * Read from one place: `package.json`'s `repository` field, else the git remote
 * `origin` at build time. Only a GitHub or GitLab address counts (a fresh clone's
 * `origin` is often a local path, which is no address for a reader); with none, the
 * site shows none of those links.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export interface Repository {
  /** `https://github.com/owner/name`, no trailing slash, no `.git`. */
  url: string
  host: 'github' | 'gitlab'
  /** The branch that edit and file links open. */
  branch: string
  /** Where `Source` came from, for the build log: `package.json` or `git remote origin`. */
  from: string
}

const HOSTS = { 'github.com': 'github', 'gitlab.com': 'gitlab' } as const

/**
 * The web address of a repository, from what `package.json` may say (`"owner/name"`,
 * `"github:owner/name"`, `{ "url": "git+https://github.com/owner/name.git" }`) or a git
 * remote (`git@github.com:owner/name.git`, `ssh://git@github.com/owner/name`); `null`
 * for anything else (a local path, another host, a placeholder). Pure, for unit tests.
 */
export function repositoryUrl(repository: unknown): { url: string; host: Repository['host'] } | null {
  const raw =
    typeof repository === 'string'
      ? repository
      : typeof repository === 'object' && repository !== null && typeof (repository as { url?: unknown }).url === 'string'
        ? (repository as { url: string }).url
        : null
  if (!raw) return null
  let spec = raw.trim()
  // npm's shorthands: `owner/name` (GitHub), `github:owner/name`, `gitlab:group/sub/name`.
  const name = '[\\w-][\\w.-]*'
  const shorthand = new RegExp(`^(?:(github|gitlab):(${name}(?:/${name})+)|(${name}/${name}))$`).exec(spec)
  if (shorthand) spec = `https://${shorthand[1] ?? 'github'}.com/${shorthand[2] ?? shorthand[3]}`
  spec = spec.replace(/^git\+/, '').replace(/^git@([^:/]+):/, 'ssh://git@$1/')
  let parsed: URL
  try {
    parsed = new URL(spec)
  } catch {
    return null
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) return null
  const host = HOSTS[parsed.hostname.toLowerCase() as keyof typeof HOSTS]
  const repoPath = parsed.pathname.replace(/\.git$/, '').replace(/\/+$/, '')
  // owner/name (GitLab allows subgroups: group/sub/name); a placeholder owner is no address.
  if (!host || !/^(\/[\w.-]+){2,}$/.test(repoPath) || /^\/OWNER\//i.test(repoPath)) return null
  return { url: `https://${parsed.hostname.toLowerCase()}${repoPath}`, host }
}

/** `git remote get-url origin` in `root`, or `null` (no git, no remote). */
function gitRemote(root: string): string | null {
  const result = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: root, encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() || null : null
}

/**
 * The book's repository: `package.json`'s `repository` (its `branch`, if it names one, else
 * `main`), else the git remote `origin`; `null` when neither is a repository's address.
 * `remote` is for tests.
 */
export function findRepository(root: string, remote: (root: string) => string | null = gitRemote): Repository | null {
  let manifest: { repository?: unknown } = {}
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof manifest
  } catch {
    manifest = {}
  }
  const named = manifest.repository as { branch?: unknown } | undefined
  const branch = typeof named === 'object' && named !== null && typeof named.branch === 'string' ? named.branch : 'main'
  const fromManifest = repositoryUrl(manifest.repository)
  if (fromManifest) return { ...fromManifest, branch, from: 'package.json' }
  if (manifest.repository !== undefined) return null // what package.json says wins, even when it is no address
  const fromRemote = repositoryUrl(remote(root))
  return fromRemote ? { ...fromRemote, branch, from: 'git remote origin' } : null
}

/** The web page of a file of the repository (`path` from its root), on the repository's branch. */
export function fileUrl(repo: Repository, file: string): string {
  return `${repo.url}${repo.host === 'gitlab' ? '/-' : ''}/blob/${repo.branch}/${file}`
}

/** VitePress's `editLink.pattern` for the chapters (`:path` is the page's file in `chapters/`). */
export function editPattern(repo: Repository): string {
  return `${repo.url}${repo.host === 'gitlab' ? '/-' : ''}/edit/${repo.branch}/chapters/:path`
}
