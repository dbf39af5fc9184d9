export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.md')) {
    return { format: 'module', shortCircuit: true, source: `console.log('md hook for', ${JSON.stringify(url)}); const m = await import(${JSON.stringify(new URL('./probe.ts', import.meta.url).href)}); m.hello();` };
  }
  return nextLoad(url, context);
}
