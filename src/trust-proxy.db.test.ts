import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.js';
import { VERIFY_LIMIT_PER_IP } from './modules/notices/verify-routes.js';

// A per-address limit behind a real reverse proxy hop: an in-process HTTP proxy on 127.0.0.1 that
// appends the peer's address to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does.
// Clients connect to it from other loopback addresses (127.0.0.2, 127.0.0.3), so each is a
// different real client while the proxy is the peer Candor sees.

/** A reverse proxy to `target` that appends the real peer address to X-Forwarded-For. */
async function startProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const peer = incoming.socket.remoteAddress ?? '';
    const forwarded = incoming.headers['x-forwarded-for'];
    const headers = { ...incoming.headers, 'x-forwarded-for': forwarded ? `${forwarded}, ${peer}` : peer };
    const proxied = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** POSTs a verification code through the proxy from `localAddress`, with a forged X-Forwarded-For. */
function verify(
  proxyUrl: string,
  localAddress: string,
  forged: string | undefined,
): Promise<{ status: number; body: string }> {
  const url = new URL('/api/public/verify', proxyUrl);
  const payload = JSON.stringify({ code: 'K7QF-2M9X-D4TA' });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          origin: 'http://localhost:3000',
          'content-length': Buffer.byteLength(payload),
          ...(forged ? { 'x-forwarded-for': forged } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function behindProxy(trustProxy: string): Promise<{ t: TestApp; proxy: string }> {
  const t = await createTestApp({ CANDOR_TRUST_PROXY: trustProxy });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const proxy = await startProxy(address);
  afterAll(() => proxy.close());
  return { t, proxy: proxy.url };
}

/** The client rotates forged X-Forwarded-For values; the limit still counts it as one address. */
async function expectLimitHolds(proxy: string): Promise<void> {
  for (let i = 0; i < VERIFY_LIMIT_PER_IP; i++) {
    const answer = await verify(proxy, '127.0.0.2', `198.51.100.${i + 1}`);
    expect(answer.status, answer.body).toBe(200);
  }
  for (const forged of ['203.0.113.9', '203.0.113.10, 192.0.2.1', undefined]) {
    const limited = await verify(proxy, '127.0.0.2', forged);
    expect(limited.status, `${forged}: ${limited.body}`).toBe(429);
  }
  // Another real client behind the same proxy is its own address, not limited.
  const other = await verify(proxy, '127.0.0.3', '198.51.100.1');
  expect(other.status, other.body).toBe(200);
}

describe('CANDOR_TRUST_PROXY behind one reverse proxy', () => {
  it('=1: the per-address limit holds for a client that forges X-Forwarded-For', async () => {
    const { proxy } = await behindProxy('1');
    await expectLimitHolds(proxy);
  });

  it("=the proxy's CIDR: the same, and the client's forged entries are never believed", async () => {
    const { proxy } = await behindProxy('127.0.0.1/32, ::1');
    await expectLimitHolds(proxy);
  });
});
