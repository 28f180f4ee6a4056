import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../platform/chromium.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

export interface PdfRenderer {
  /** The HTML document printed to A4 by Chromium; AppError pdf_unavailable when there is no Chromium. */
  render(html: string): Promise<Buffer>;
  close(): Promise<void>;
}

// The document is served at this address from memory; every other request is refused.
const DOCUMENT_URL = 'https://document.invalid/report.html';
const MAX_PAGES = 2;
const TIMEOUT_MS = 30_000;

const unavailable = () => new AppError('pdf_unavailable');

/**
 * One headless Chromium, started on the first PDF and reused by every later
 * one; each document gets its own context with JavaScript off and no network.
 */
export function createPdfRenderer(options: {
  chromiumPath: string | undefined;
  logger: Logger;
}): PdfRenderer {
  let launching: Promise<Browser> | undefined;
  let closed = false;
  let active = 0;
  const waiting: (() => void)[] = [];

  async function launch(): Promise<Browser> {
    const executablePath = findChromium(options.chromiumPath);
    if (!executablePath) throw unavailable();
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch {
      throw unavailable();
    }
    try {
      const browser = await chromium.launch({
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: TIMEOUT_MS,
      });
      browser.on('disconnected', () => {
        launching = undefined;
      });
      return browser;
    } catch (error) {
      options.logger.warn(
        { err: error, executablePath },
        'Chromium did not start: PDF export is unavailable',
      );
      throw unavailable();
    }
  }

  function browser(): Promise<Browser> {
    if (closed) return Promise.reject(unavailable());
    launching ??= launch().catch((error: unknown) => {
      // A later export tries again: Chromium may have been installed since.
      launching = undefined;
      throw error;
    });
    return launching;
  }

  async function slot<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= MAX_PAGES) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  return {
    render: (html) =>
      slot(async () => {
        const context = await (await browser()).newContext({ javaScriptEnabled: false });
        try {
          context.setDefaultTimeout(TIMEOUT_MS);
          await context.route('**/*', (route) =>
            route.request().url() === DOCUMENT_URL
              ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
              : route.abort(),
          );
          const page = await context.newPage();
          await page.goto(DOCUMENT_URL, { waitUntil: 'load' });
          await page.evaluate('document.fonts.ready.then(() => true)');
          return await page.pdf({ printBackground: true, preferCSSPageSize: true, tagged: true });
        } finally {
          await context.close().catch(() => undefined);
        }
      }),
    async close() {
      closed = true;
      const pending = launching;
      launching = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}
