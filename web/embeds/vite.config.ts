// The embeds' build (issue 15): a library build of one ES module,
// lethe-embeds.js, with tus-js-client inside it, that pages on any origin
// load from `lethe serve` at /embed/lethe-embeds.js. The examples page
// (examples/: index.html, its script and stylesheet) is copied beside it
// and served at /embed/examples. LETHE_EMBEDS_OUT names the output
// directory (CMake: <build>/embed); the default is dist/.
//
// Nothing is inlined: the components style their shadow roots with
// constructable stylesheets (adoptedStyleSheets), which a host page's
// Content-Security-Policy does not block, and build their DOM without
// innerHTML, so pages that enforce Trusted Types can use them.
import { defineConfig } from 'vite';

declare const process: { env: Record<string, string | undefined> };

export default defineConfig({
  publicDir: 'examples',
  build: {
    outDir: process.env.LETHE_EMBEDS_OUT || 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'lethe-embeds.js',
    },
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
});
