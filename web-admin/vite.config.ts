import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The admin is served by Bureau at /admin/. Builds are reproducible (CI
// compares the committed dist/ with a fresh build), so nothing here may
// depend on the time or the machine.
export default defineConfig({
  base: '/admin/',
  plugins: [svelte(), svelteTesting()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be inlined into index.html, which the CSP forbids;
    // every browser the admin supports has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // BUREAU_API points the dev server at a running bureau serve.
    // The dev page's Origin (Vite's port) is not Bureau's, and Bureau refuses
    // the refresh cookie cross-origin; dropping the header makes proxied
    // calls look same-origin, as they are in production.
    proxy: {
      '/api': {
        target: process.env.BUREAU_API ?? 'http://127.0.0.1:8080',
        configure: (proxy) => proxy.on('proxyReq', (req) => req.removeHeader('origin')),
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
  },
});
