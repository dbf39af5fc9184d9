/**
 * Following a claim's path into a chapter's results, and checking the claim.
 */
import { parseClaim } from './claim.ts';
import { parsePath } from './path.ts';
import type { Claim } from './types.ts';

/**
 * The value at `path` in `results`. Throws an Error naming the longest prefix
 * that exists and what it has, when the path leads nowhere.
 */
export function lookup(results: unknown, path: string): unknown {
  const segments = parsePath(path);
  if (!segments) throw new Error(`${path} is not a path (write a.b, a.b[2] or a.b.2)`);
  let current: unknown = results;
  let parent = 'results';
  for (const { key, prefix } of segments) {
    if (current === null || typeof current !== 'object') {
      throw new Error(`path ${path} not in results (${parent} is ${describe(current)}, not an object)`);
    }
    const name = String(key);
    if (!Object.hasOwn(current, name) || (Array.isArray(current) && !/^\d+$/.test(name))) {
      throw new Error(`path ${path} not in results (${parent} ${contents(current)})`);
    }
    current = (current as Record<string, unknown>)[name];
    parent = prefix;
  }
  return current;
}

/** What an object or array holds, for error messages. */
function contents(value: object): string {
  if (Array.isArray(value)) return `has ${value.length} item${value.length === 1 ? '' : 's'}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'is empty';
  const shown = keys.slice(0, 20).join(', ');
  return `has: ${shown}${keys.length > 20 ? `, … (${keys.length} keys)` : ''}`;
}

/** A short description of a value, for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Whether `actual` is within `tolerance` of `claimed`, allowing for float rounding. */
export function within(actual: number, claimed: number, tolerance: number): boolean {
  const slack = 1e-9 * Math.max(tolerance, Math.abs(claimed) * 1e-6, 1e-300);
  return Math.abs(actual - claimed) <= tolerance + slack;
}

/** A number for messages: up to 8 significant digits. */
export function show(value: number): string {
  return String(Number(value.toPrecision(8)));
}

/** Whether `claim` holds in `results`: undefined when it does, else a message. */
export function checkClaim(claim: Claim, results: unknown): string | undefined {
  const place = `${claim.file}:${claim.line}`;
  const parsed = parseClaim(claim.raw);
  const number = parsed.kind === 'claim' ? parsed.number : show(claim.value);
  const percent = number.endsWith('%');
  let actual: unknown;
  try {
    actual = lookup(results, claim.path);
  } catch (error) {
    return `${place}: ${(error as Error).message}`;
  }
  if (typeof actual !== 'number' || !Number.isFinite(actual)) {
    return `${place}: claims ${number} for ${claim.path}, but the value is not a number (it is ${describe(actual)})`;
  }
  if (within(actual, claim.value, claim.tolerance)) return undefined;
  const gives = percent ? `${show(actual)} (${show(actual * 100)}%)` : show(actual);
  return `${place}: claims ${number} for ${claim.path} (±${show(claim.tolerance)}), the code gives ${gives}`;
}
