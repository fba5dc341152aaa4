import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { listen, parseListenAddress } from '../../src/daemon/http.js';
import type { HttpServer, HttpSources } from '../../src/daemon/http.js';
import { UserError } from '../../src/util/user-error.js';

const METRICS = '# HELP tock_up Whether tock is up.\n# TYPE tock_up gauge\ntock_up 1\n';
const STATUS = { jobs: [{ name: 'backup', enabled: true, last: null }] };

/** Whether this machine can bind the IPv6 loopback (containers often cannot). */
async function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => { resolve(false); });
    probe.listen(0, '::1', () => { probe.close(() => { resolve(true); }); });
  });
}
const ipv6 = await hasIpv6Loopback();

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(sources: HttpSources = { metrics: () => METRICS, status: () => STATUS }, address = '127.0.0.1:0'): Promise<HttpServer> {
  const server = await listen(address, sources);
  servers.push(server);
  return server;
}

function url(server: HttpServer, path: string): string {
  return `http://${server.address}${path}`;
}

async function refusal(address: string): Promise<UserError> {
  try {
    await start(undefined, address);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected ${address} to be refused`);
}

describe('listen', () => {
  it('reports the real port when asked for port 0', async () => {
    const server = await start();
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.address).not.toBe('127.0.0.1:0');
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const server = await start();
    const res = await fetch(url(server, '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe(METRICS);
  });

  it('serves the metrics text exactly as its source renders it, fresh on each scrape', async () => {
    let text = METRICS;
    const server = await start({ metrics: () => text, status: () => STATUS });
    expect(await (await fetch(url(server, '/metrics'))).text()).toBe(METRICS);
    text = 'tock_up 0\n';
    expect(await (await fetch(url(server, '/metrics'))).text()).toBe('tock_up 0\n');
  });

  it('serves /status as JSON', async () => {
    const server = await start();
    const res = await fetch(url(server, '/status?pretty=1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(STATUS);
  });

  it('lists the endpoints at /', async () => {
    const server = await start();
    const res = await fetch(url(server, '/'));
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('/metrics');
    expect(body).toContain('/status');
  });

  it('answers 404 for other paths', async () => {
    const server = await start();
    const res = await fetch(url(server, '/nope'));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('/nope');
  });

  it('answers 405 to methods other than GET and HEAD', async () => {
    const server = await start();
    const res = await fetch(url(server, '/metrics'), { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers HEAD like GET, without a body', async () => {
    const server = await start();
    const res = await fetch(url(server, '/metrics'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(METRICS)));
    expect(await res.text()).toBe('');
  });

  it('answers 500 when a source throws, and keeps serving', async () => {
    let broken = true;
    const server = await start({
      metrics: () => {
        if (broken) throw new Error('ledger unreadable\nsecond line');
        return METRICS;
      },
      status: () => { throw new Error('boom'); },
    });
    const res = await fetch(url(server, '/metrics'));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('internal error: ledger unreadable\n');
    expect((await fetch(url(server, '/status'))).status).toBe(500);
    broken = false;
    const again = await fetch(url(server, '/metrics'));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(METRICS);
  });

  it.skipIf(!ipv6)('listens on the IPv6 loopback', async () => {
    const server = await start(undefined, '[::1]:0');
    expect(server.address).toMatch(/^\[::1\]:\d+$/);
    expect((await fetch(url(server, '/status'))).status).toBe(200);
  });

  it('closes with a keep-alive connection open, and stops answering', async () => {
    const server = await listen('127.0.0.1:0', { metrics: () => METRICS, status: () => STATUS });
    expect((await fetch(url(server, '/metrics'))).status).toBe(200);
    await server.close();
    await expect(fetch(url(server, '/metrics'))).rejects.toThrow();
    await server.close();
  });

  it.each(['nope', '127.0.0.1:', '127.0.0.1:99999', ':9464', '256.1.1.1:9464', '127.0.0.1:94x4', '::1:9464', '[nope]:9464'])(
    'refuses %j',
    async (address) => {
      const error = await refusal(address);
      expect(error.code).toBe('usage');
      expect(error.message).toContain(`"${address}"`);
      expect(error.message).toMatch(/^--listen: expected HOST:PORT like 127\.0\.0\.1:9464/);
      expect(error.hint).toBeTruthy();
    },
  );

  it('says when the port is already in use', async () => {
    const first = await start();
    const error = await refusal(first.address);
    expect(error.message).toContain('in use');
    expect(error.message).toContain(first.address);
    expect(error.hint).toMatch(/another port/);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9464', '127.0.0.1', 9464],
    ['localhost:9464', 'localhost', 9464],
    ['[::1]:9464', '::1', 9464],
    ['0.0.0.0:0', '0.0.0.0', 0],
  ] as const)('reads %s', (address, host, port) => {
    expect(parseListenAddress(address)).toEqual({ host, port });
  });
});
