import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP, isIPv4, isIPv6 } from 'node:net';

import { UserError } from '../util/user-error.js';

/** What `--listen` serves; each is called per request so answers are always current. */
export interface HttpSources {
  /** Prometheus text exposition format 0.0.4, served as it is (the CLI renders it). */
  metrics(): string;
  /** The `status --json` document (JSON-serialisable). */
  status(): unknown;
}

export interface HttpServer {
  /** Where it listens, `HOST:PORT` (`[HOST]:PORT` for IPv6), with the real port when asked for 0. */
  address: string;
  close(): Promise<void>;
}

interface Endpoint {
  host: string;
  port: number;
}

const EXAMPLE = 'HOST:PORT like 127.0.0.1:9464';
const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const INDEX = 'tock daemon\n/metrics  Prometheus metrics (text format 0.0.4)\n/status   the `tock status --json` document\n';

/** Serves /metrics and /status on `address` (HOST:PORT); a bad address or a failed bind is a UserError. */
export async function listen(address: string, sources: HttpSources): Promise<HttpServer> {
  const endpoint = parseListenAddress(address);
  const server = createServer((req, res) => {
    answer(req, res, sources);
  });
  await bind(server, endpoint, address);
  // After a successful bind the server has nothing useful to report here, and an unhandled
  // 'error' event would take the whole daemon (and its running jobs) down with it.
  server.on('error', () => undefined);
  return { address: boundAddress(server, endpoint), close: () => closeServer(server) };
}

/** `127.0.0.1:9464`, `localhost:9464`, `[::1]:9464`; port 0 asks for any free port. */
export function parseListenAddress(address: string): Endpoint {
  const bad = (hint: string): UserError => new UserError('usage', `--listen: expected ${EXAMPLE}, got "${address}"`, hint);
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(address.trim());
  if (match === null) {
    throw bad(address.includes(':') ? 'put an IPv6 address in brackets, like [::1]:9464' : 'add a port, like 127.0.0.1:9464');
  }
  const [, bracketed, plain, portText = ''] = match;
  const host = bracketed ?? plain ?? '';
  if (host === '') throw bad('name the interface: 127.0.0.1 for this machine only, 0.0.0.0 for every interface');
  if (bracketed !== undefined && !isIPv6(host)) throw bad(`"${host}" is not an IPv6 address; only IPv6 addresses go in brackets`);
  // All digits and dots but not an IPv4 address (256.1.1.1): the resolver would try it as a name.
  if (/^[\d.]+$/.test(host) && !isIPv4(host)) throw bad(`"${host}" is not an IPv4 address: four numbers from 0 to 255`);
  if (portText === '') throw bad('add a port after the colon, like 127.0.0.1:9464');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw bad(`the port must be a number from 0 to 65535 (0 picks a free one), got "${portText}"`);
  return { host, port };
}

function bind(server: Server, endpoint: Endpoint, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(bindError(error, endpoint, address));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(endpoint.port, endpoint.host);
  });
}

function bindError(error: NodeJS.ErrnoException, { host, port }: Endpoint, address: string): Error {
  const fix = 'use 127.0.0.1 for this machine only, or 0.0.0.0 for every interface';
  switch (error.code) {
    case 'EADDRINUSE':
      return new UserError('usage', `--listen: port ${port} on ${host} is already in use ("${address}")`,
        `stop whatever holds it (\`ss -ltnp 'sport = :${port}'\` shows it), or pick another port`);
    case 'EACCES':
      return new UserError('usage', `--listen: not allowed to listen on "${address}"${port < 1024 ? ': ports below 1024 need root' : ''}`,
        'use a port of 1024 or above, like 9464 (or grant the daemon CAP_NET_BIND_SERVICE)');
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
      return new UserError('usage', `--listen: cannot listen on "${address}": ${host} is not an address of this machine`, fix);
    case 'EAFNOSUPPORT':
      return new UserError('usage', `--listen: cannot listen on "${address}": this machine has no IPv${isIP(host) === 6 ? 6 : 4}`, fix);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return new UserError('usage', `--listen: expected ${EXAMPLE}, got "${address}": cannot resolve ${host}`, fix);
    default:
      return new UserError('usage', `--listen: cannot listen on "${address}": ${error.message}`, fix);
  }
}

function boundAddress(server: Server, endpoint: Endpoint): string {
  const bound = server.address();
  if (bound === null || typeof bound === 'string') return `${formatHost(endpoint.host)}:${endpoint.port}`;
  return `${formatHost(bound.address)}:${bound.port}`;
}

function formatHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => {
      resolve();
    });
    // close() waits for keep-alive sockets (a Prometheus scraper holds one open); every
    // request here is answered at once, so nothing in flight is lost by cutting them.
    server.closeAllConnections();
  });
}

function answer(req: IncomingMessage, res: ServerResponse, sources: HttpSources): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, method, 405, 'text/plain; charset=utf-8', `method ${method} not allowed: use GET or HEAD\n`, { allow: 'GET, HEAD' });
    return;
  }
  const path = pathOf(req.url);
  try {
    switch (path) {
      case '/metrics':
        send(res, method, 200, METRICS_TYPE, sources.metrics());
        return;
      case '/status':
        send(res, method, 200, 'application/json; charset=utf-8', `${JSON.stringify(sources.status() ?? null)}\n`);
        return;
      case '/':
        send(res, method, 200, 'text/plain; charset=utf-8', INDEX);
        return;
      default:
        send(res, method, 404, 'text/plain; charset=utf-8', `not found: ${path}; try /metrics or /status\n`);
    }
  } catch (error) {
    // A bug in a source must cost one scrape, never the daemon.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    send(res, method, 500, 'text/plain; charset=utf-8', `internal error: ${reason}\n`);
  }
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://tock.invalid').pathname;
  } catch {
    return url ?? '/';
  }
}

function send(res: ServerResponse, method: string, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : body);
}
