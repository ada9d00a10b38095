import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import { compression } from 'vite-plugin-compression2'
import { pagePreloadsPlugin } from './vite-page-preloads.ts'
import { splitMessagesPlugin } from './vite-split-messages.ts'

/**
 * The built page runs under the strict CSP of protocol.md §11, which allows no inline
 * script or style. Everything Vite would inline is therefore turned off or moved to files.
 */
export default defineConfig({
  plugins: [
    // Every component is <script setup>: without the Options API, Vue's runtime is smaller and
    // every page evaluates less before its first render.
    vue({ features: { optionsAPI: false } }),
    splitMessagesPlugin(),
    pagePreloadsPlugin(),
    // Messages become functions at build time, and the runtime without the message compiler is
    // used: compiling in the browser would need 'unsafe-eval' (or the compiler's weight).
    VueI18nPlugin({
      module: 'petite-vue-i18n',
      include: [new URL('./src/locales/split/*.json', import.meta.url).pathname],
      runtimeOnly: true,
      dropMessageCompiler: true,
      fullInstall: false,
    }),
    // Brotli and gzip copies beside every text asset, at their highest levels: the server sends
    // them as they are (server/src/plugins/web.ts) and compresses nothing per request.
    compression({ algorithms: ['brotliCompress', 'gzip'], include: /\.(html|css|js|svg|wasm)$/ }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Vite inlines a tiny modulepreload polyfill script in index.html; the CSP refuses it
    // and every browser we target supports modulepreload natively.
    modulePreload: { polyfill: false },
    // Small assets would otherwise become data: URLs inside JS/CSS; files keep the CSP simple.
    assetsInlineLimit: 0,
    target: 'es2022',
    // Module bodies run in source order whatever chunk they land in: src/zod-csp.ts must run
    // before zod, which sits in a chunk shared with the lazy views.
    rolldownOptions: {
      output: {
        strictExecutionOrder: true,
        // Everything the first page imports statically goes into one file. Left to itself the
        // bundler cuts it into a dozen small chunks wherever a lazy view shares a module, and
        // each costs a request and its own gzip and import overhead (about 3 KB in all).
        codeSplitting: { groups: [{ name: 'initial', tags: ['$initial'] }] },
      },
    },
  },
  // ES-module workers can share chunks with the page (the shared protocol code).
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
})
