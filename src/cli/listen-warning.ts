import { BlockList, isIPv6 } from 'node:net';

// 127.0.0.0/8 and ::1, and IPv4 loopback written as IPv6 (::ffff:127.0.0.1).
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * The warning `daemon --listen` prints at start when it serves beyond this machine: /status
 * tells whoever asks each job's pids, log paths and messages, and nothing authenticates them.
 * `bound` is the address the server got (`HOST:PORT`, `[HOST]:PORT`), so a name is judged by
 * what it resolved to.
 */
export function listenWarning(listen: string, bound: string): string | undefined {
  const host = /^\[(.*)\]:\d+$/.exec(bound)?.[1] ?? bound.replace(/:\d+$/, '');
  if (host === 'localhost' || loopback.check(host, isIPv6(host) ? 'ipv6' : 'ipv4')) return undefined;
  return `tock: warning: --listen ${listen} serves /status and /metrics to the network (${host} is not a loopback address): `
    + 'anyone who can reach it sees job names, pids, log paths and messages, with no authentication; '
    + 'listen on 127.0.0.1 (or [::1]) and let a local Prometheus or a proxy with authentication reach it, or firewall the port';
}
