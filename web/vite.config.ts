import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The web root is this folder, wherever the command is run from.
const webRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);

// Chunks keep rolldown's default splitting (one chunk per set of areas that share code), but any chunk
// holding code of a UI kit gets the kit in its file name, so each area's network footprint is easy to check:
// /citizen must never load an `antd-desktop` chunk and the desktop areas never an `antd-mobile` one.
const ANTD_MOBILE = /[\\/]node_modules[\\/]antd-mobile(-icons)?[\\/]/;
const ANTD_DESKTOP = /[\\/]node_modules[\\/](antd|@ant-design|@rc-component)[\\/]/;

function chunkFileName(chunk: { name: string; moduleIds: string[] }): string {
  const tags: string[] = [];
  if (chunk.moduleIds.some((id) => ANTD_DESKTOP.test(id))) tags.push('antd-desktop');
  if (chunk.moduleIds.some((id) => ANTD_MOBILE.test(id))) tags.push('antd-mobile');
  return tags.length > 0 ? `assets/[name].${tags.join('.')}-[hash].js` : 'assets/[name]-[hash].js';
}

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: 'public',
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
      // Sign-in (OpenID Connect): the relying party under /auth, the built-in provider under /oidc.
      '/auth': 'http://127.0.0.1:3000',
      '/oidc': 'http://127.0.0.1:3000',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        chunkFileNames: chunkFileName,
      },
    },
  },
  preview: {
    port: 4173,
  },
});
