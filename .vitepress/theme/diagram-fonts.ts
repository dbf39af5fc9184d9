/**
 * Chinese labels in the diagrams, on a machine without a CJK font. Their glyphs come from
 * the served Noto Sans SC, split by unicode-range and loaded only once text needs them. Chromium
 * lays out an SVG label before its piece of the font has arrived, draws the characters as
 * empty boxes, and keeps them so after the font has loaded (HTML text is redrawn; SVG text is
 * not, in Chromium 150). A label with a different font description is looked up afresh, so
 * each time fonts finish loading the diagrams' text gets a new word spacing, too small to see
 * (`--rlhf-diagram-refresh`, read by diagrams.css). Where a CJK font is installed nothing waits.
 */
export function refreshDiagramFonts(): void {
  if (typeof document === 'undefined' || !('fonts' in document)) return
  let refreshes = 0
  const refresh = () => {
    refreshes++
    document.documentElement.style.setProperty('--rlhf-diagram-refresh', `${refreshes / 10000}px`)
  }
  document.fonts.addEventListener('loadingdone', refresh)
  // Fonts that finished loading before this script ran.
  void document.fonts.ready.then(refresh)
}
