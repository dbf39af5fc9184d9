import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import ResultFigure from './figures/ResultFigure.vue'
import './style.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    // Figures drawn from the recorded results: the chapters' ```yaml figure blocks render to it.
    app.component('ResultFigure', ResultFigure)
  },
} satisfies Theme
