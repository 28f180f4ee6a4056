import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

const LOCALES = ['en', 'cs', 'ar'];
const CATALOG = 'virtual:catalog/';
// Keys only the server uses (its e-mails and API errors, which it sends already translated).
const SERVER_ONLY = /^(mail|error)\./;

/**
 * `virtual:catalog/cs`: one language's messages, English filling any gap, without the server's
 * keys. Each is its own chunk, fetched for the language the person reads, never all three.
 */
function catalogs(): Plugin {
  const file = (locale: string) => path.join(root, '..', 'locales', `${locale}.json`);
  const read = (locale: string): Record<string, string> => JSON.parse(readFileSync(file(locale), 'utf8'));
  return {
    name: 'candor-catalogs',
    resolveId: (id) => (id.startsWith(CATALOG) ? `\0${id}` : undefined),
    load(id) {
      if (!id.startsWith(`\0${CATALOG}`)) return undefined;
      const locale = id.slice(CATALOG.length + 1);
      if (!LOCALES.includes(locale)) throw new Error(`No catalog for "${locale}"`);
      this.addWatchFile(file('en'));
      this.addWatchFile(file(locale));
      const messages = { ...read('en'), ...read(locale) };
      for (const key of Object.keys(messages)) if (SERVER_ONLY.test(key)) delete messages[key];
      return `export default ${JSON.stringify(messages)};`;
    },
  };
}

/**
 * Every text asset also as .br and .gz beside it, compressed once at build time at the highest
 * levels, so the server sends them without compressing per request (@fastify/static preCompressed).
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'candor-precompress',
    apply: 'build',
    configResolved: (config) => void (outDir = config.build.outDir),
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const file = path.join(outDir, name);
        const content = readFileSync(file);
        if (content.length < 1024) continue;
        const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
        writeFileSync(`${file}.br`, brotli);
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// The admin app: built into dist/web and served by the Candor server itself.
export default defineConfig({
  root,
  base: '/',
  plugins: [react(), catalogs(), precompress()],
  build: {
    outDir: path.join(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    // No inline scripts or styles: the Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
