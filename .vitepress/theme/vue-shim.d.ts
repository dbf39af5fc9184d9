/**
 * `.vue` files, for `tsc` (which does not read them; Vite compiles them). Typed
 * through VitePress's own types, so that the project needs no direct `vue` dependency.
 */
declare module '*.vue' {
  import type { EnhanceAppContext } from 'vitepress'
  const component: Parameters<EnhanceAppContext['app']['component']>[1]
  export default component
}
