/**
 * Following a claim's path into a chapter's results.
 */
import { parsePath } from './path.ts';

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
export function describe(value: unknown): string {
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
