import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import ResultFigure from './figures/ResultFigure.vue'
import RunBox from './run/RunBox.vue'
import ChapterMap from './ChapterMap.vue'
import { refreshDiagramFonts } from './diagram-fonts.ts'
// Noto Sans SC, served with the site: the Chinese terms of the source notes (折扣奖励, …) render
// on machines without a CJK font. Split by unicode-range, so a page loads only the glyphs it uses.
import '@fontsource/noto-sans-sc/400.css'
// KaTeX's stylesheet and fonts, for the math typeset at build time (.vitepress/markdown/math.ts).
import 'katex/dist/katex.min.css'
import './style.css'
// Diagrams drawn at build time from the chapters' ```dot diagram blocks (.vitepress/markdown/diagrams.ts).
import './diagrams.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    // Figures drawn from the recorded results: the chapters' ```yaml figure blocks render to it.
    app.component('ResultFigure', ResultFigure)
    // The "Run it yourself" box under each chapter's title (.vitepress/markdown/run-box.ts).
    app.component('RunBox', RunBox)
    // The map of parts and chapters on the home page.
    app.component('ChapterMap', ChapterMap)
    // Chinese labels in diagrams redrawn once their font has loaded (./diagram-fonts.ts).
    refreshDiagramFonts()
  },
} satisfies Theme
