// The portal's build (issue 15): `vite build` writes index.html and
// content-hashed assets (assets/NAME-HASH.ext) that `lethe serve` holds in
// memory and serves at / (src/http/static_site.h). LETHE_PORTAL_OUT names
// the output directory (CMake: <build>/portal); the default is dist/.
//
// Nothing is inlined into index.html or into data: URIs: the server's
// Content-Security-Policy allows scripts, styles and images from the
// origin only.
import { defineConfig } from 'vite';

declare const process: { env: Record<string, string | undefined> };

export default defineConfig({
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.LETHE_PORTAL_OUT || 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    // The bundle is one entry with no dynamic imports: no preload helper.
    modulePreload: false,
  },
});
