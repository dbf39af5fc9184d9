/**
 * The two Vite features the theme's TypeScript uses, for `tsc` (Vite itself is not a
 * direct dependency; VitePress brings it): `?url` imports and `import.meta.glob`.
 */
declare module '*?url' {
  const url: string
  export default url
}

interface ImportMeta {
  glob<T>(pattern: string): Record<string, () => Promise<T>>
}
