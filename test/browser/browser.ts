import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../src/platform/paths.js';
import { startTestSmtp, type TestSmtp } from '../smtp.js';
import { assertBuilt, freePort, killAll, startCandor, tempDir, type CandorServer } from '../process.js';
import { CHROMIUM_ARGS } from '../../src/platform/chromium.js';

export const SCREENSHOTS = path.join(projectRoot, 'test-results', 'screenshots');

/** What a page must never produce: a CSP violation, a console error, an uncaught exception. */
/**
 * What tests read of an element inside the page. The tests compile without the DOM's types (the
 * server's React types declare its elements empty), so a callback run in the page names what it uses.
 */
export interface DomElement {
  tagName: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; left: number; width: number; height: number };
}

export interface PageProblems {
  violations: string[];
  consoleErrors: string[];
}

export interface BrowserRig {
  server: CandorServer;
  smtp: TestSmtp;
  browser: Browser;
  /** The origin the app is opened at: localhost, because WebAuthn refuses IP addresses. */
  origin: string;
  setupLink: string;
  problems: PageProblems;
  newPage(options?: {
    locale?: string;
    timezoneId?: string;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * One Candor server (the real `node bin/candor.js start`, with a real SMTP
 * server in this process) and one headless Chromium from the system, shared
 * by the tests of a file.
 */
export async function startRig(options: { env?: Record<string, string> } = {}): Promise<BrowserRig> {
  assertBuilt();
  const smtp = await startTestSmtp();
  const dataDir = tempDir('candor-browser-');
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await startCandor(
    {
      CANDOR_DATA_DIR: dataDir,
      CANDOR_PUBLIC_URL: origin,
      CANDOR_SMTP_URL: smtp.url,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    // A busy two-core machine (several test files at once) takes its time to boot the embedded database.
    { port, timeoutMs: 100_000 },
  );
  const setupLink = await waitFor(() => server.setupLink(), 'the setup link on standard error');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const problems: PageProblems = { violations: [], consoleErrors: [] };
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });

  async function newPage(options: { locale?: string; timezoneId?: string } = {}) {
    const context = await browser.newContext({
      locale: options.locale ?? 'en-US',
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
      viewport: { width: 1280, height: 860 },
      baseURL: origin,
    });
    contexts.push(context);
    // Bindings survive navigations, so every document of the context reports here.
    await context.exposeBinding('__candorViolation', (_source, text: string) => {
      problems.violations.push(text);
    });
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) => {
        window.__candorViolation(
          event.violatedDirective + ' blocked ' + event.blockedURI + ' in ' + event.sourceFile + ':' + event.lineNumber,
        );
      });`,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.consoleErrors.push(`${page.url()}: ${error.message}`));
    return { context, page };
  }

  return {
    server,
    smtp,
    browser,
    origin,
    setupLink: setupLink.replace(/^http:\/\/[^/]+/, origin),
    problems,
    newPage,
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop().catch(() => undefined);
      killAll();
      // Kept for reading after a failure; test-results/ is not committed.
      const logs = path.join(projectRoot, 'test-results', 'logs');
      mkdirSync(logs, { recursive: true });
      writeFileSync(path.join(logs, 'browser-server.log'), `${server.stderr}\n${server.stdout}`);
      await smtp.close();
    },
  };
}

async function waitFor<T>(get: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Adds a platform authenticator that holds passkeys and verifies its user, as a phone or laptop would. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}
