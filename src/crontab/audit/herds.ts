import type { Finding } from '../finding.js';
import type { CrontabEntry } from '../types.js';
import { counted } from '../../util/plural.js';
import { wallMinute } from './wall.js';

const DAY_MINUTES = 1440;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
// A herd of hundreds is one finding, not a page: name the first few.
const LISTED = 10;
const TIMES_LISTED = 4;

interface Group {
  members: readonly number[];
  minutes: number[];
}

/**
 * `clash`: one finding per herd. Minutes where the same set of jobs starts are one group; a group
 * whose jobs all start together again with others (an hourly herd that a daily job joins at 02:00)
 * is the same herd, so groups are joined when one's jobs are a subset of another's. Two herds that
 * merely share a job (a job at 02:00 and 03:00, each with its own crowd) stay two.
 */
export function herdFindings(byMinute: ReadonlyMap<number, readonly number[]>, entryOf: (i: number) => CrontabEntry, zoneOf: (e: CrontabEntry) => string): Finding[] {
  // Minutes with the same jobs, found by a hash of the list (a week's minutes would otherwise
  // each make a string of up to thousands of job numbers), then compared whole.
  const byHash = new Map<number, Group[]>();
  const groups: Group[] = [];
  for (const [minute, members] of byMinute) {
    if (members.length < 2) continue;
    const hash = hashOf(members);
    const bucket = byHash.get(hash);
    let group = bucket?.find((g) => sameList(g.members, members));
    if (group === undefined) {
      group = { members, minutes: [] };
      groups.push(group);
      if (bucket === undefined) byHash.set(hash, [group]);
      else bucket.push(group);
    }
    group.minutes.push(minute);
  }
  const parent = groups.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] ?? i] ?? i;
    return i;
  };
  // Which groups each job is in: a superset of a group is among those of its rarest job.
  const groupsOf = new Map<number, number[]>();
  groups.forEach((g, i) => { for (const m of g.members) pushTo(groupsOf, m, i); });
  const sets = groups.map((g) => new Set(g.members));
  groups.forEach((g, i) => {
    const rarest = g.members.reduce((a, b) => ((groupsOf.get(a)?.length ?? 0) <= (groupsOf.get(b)?.length ?? 0) ? a : b));
    for (const j of groupsOf.get(rarest) ?? []) {
      const set = sets[j];
      if (set === undefined || set.size <= g.members.length || root(i) === root(j)) continue;
      if (g.members.every((m) => set.has(m))) parent[root(i)] = root(j);
    }
  });
  const herds = new Map<number, Group[]>();
  groups.forEach((g, i) => { pushTo(herds, root(i), g); });
  return [...herds.values()].map((herd) => herdFinding(herd, entryOf, zoneOf));
}

function herdFinding(herd: readonly Group[], entryOf: (i: number) => CrontabEntry, zoneOf: (e: CrontabEntry) => string): Finding {
  const minutes = herd.flatMap((g) => g.minutes).sort((a, b) => a - b);
  // A job's minutes in the herd are those of the groups it is in (a minute is in one group only):
  // jobs in the same groups share their text, made once.
  const groupsOf = new Map<number, number[]>();
  herd.forEach((g, i) => { for (const m of g.members) pushTo(groupsOf, m, i); });
  const members = [...groupsOf.keys()].sort((a, b) => a - b);
  const textOf = new Map<string, string>();
  const timesOf = (m: number): string => {
    const groups = groupsOf.get(m) ?? [];
    const key = groups.join(',');
    let text = textOf.get(key);
    if (text === undefined) {
      text = timesText(groups.flatMap((i) => herd[i]?.minutes ?? []).sort((a, b) => a - b), zone);
      textOf.set(key, text);
    }
    return text;
  };
  const first = entryOf(members[0] ?? 0);
  const zone = zoneOf(first);
  const most = Math.max(...herd.map((g) => g.members.length));
  const herdTimes = timesText(minutes, zone);
  // Jobs by when they are in the herd (every time first), then by schedule.
  const byTimes = new Map<string, Map<string, CrontabEntry[]>>([[herdTimes, new Map()]]);
  for (const m of members) {
    const entry = entryOf(m);
    const times = timesOf(m);
    const bySchedule = byTimes.get(times) ?? new Map<string, CrontabEntry[]>();
    pushTo(bySchedule, entry.schedule, entry);
    byTimes.set(times, bySchedule);
  }
  let budget = LISTED;
  const parts = [...byTimes].filter(([, s]) => s.size > 0).map(([times, bySchedule]) => {
    const names = [...bySchedule].map(([schedule, list]) => {
      // Only the first few are named: a herd of hundreds names ten.
      const shown = list.slice(0, Math.max(0, budget)).map((e) => e.job ?? `${e.file}:${String(e.line)}`);
      budget -= shown.length;
      return shown.length === 0 ? '' : `${shown.join(', ')} (${schedule})`;
    }).filter((n) => n !== '').join(', ');
    return names === '' || times === herdTimes ? names : `${names} ${times}`;
  }).filter((p) => p !== '');
  const unnamed = members.length - LISTED;
  const herdSize = most >= 3;
  const joined = `${parts.length > 1 ? `${parts[0] ?? ''}; joined by ${parts.slice(1).join('; ')}` : parts[0] ?? ''}${unnamed > 0 ? `; and ${String(unnamed)} more` : ''}`;
  return {
    severity: herdSize ? 'warning' : 'info', code: 'clash', file: first.file, line: first.line,
    message: `${counted(members.length, 'job')} start together${herdSize ? ' (a herd)' : ''} ${herdTimes} (${zone}), ${counted(minutes.length, 'time')} in the coming week${members.length > most ? `, up to ${String(most)} at once` : ''}: ${joined}`,
    fix: 'spread them with jitter: (e.g. jitter: 5m), or order them with needs: if one feeds another',
  };
}

/**
 * When a set of minutes falls, in the zone's wall time: `at :00 every hour`, `at 02:00 every day`,
 * `at 00:00 on Sun`, or several of those joined.
 */
export function timesText(minutes: readonly number[], zone: string): string {
  const daysOf = new Map<number, Set<number>>();
  for (const t of minutes) {
    const wall = wallMinute(t, zone);
    const time = ((wall % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
    // 1970-01-01 was a Thursday.
    const day = (Math.floor(wall / DAY_MINUTES) + 4) % 7;
    daysOf.set(time, (daysOf.get(time) ?? new Set()).add(day));
  }
  const byDays = new Map<string, number[]>();
  for (const [time, days] of [...daysOf].sort((a, b) => a[0] - b[0])) {
    const key = [...days].sort((a, b) => a - b).join(',');
    byDays.set(key, [...(byDays.get(key) ?? []), time]);
  }
  return [...byDays].map(([key, times]) => {
    const days = key.split(',').map(Number);
    const everyDay = days.length === 7;
    const perHour = new Set(times.map((t) => t % 60));
    if (everyDay && times.length === 24 * perHour.size) return `at ${listed([...perHour].map((m) => `:${pad(m)}`), TIMES_LISTED)} every hour`;
    const clock = times.map((t) => `${pad(Math.floor(t / 60))}:${pad(t % 60)}`);
    return `at ${listed(clock, TIMES_LISTED)} ${everyDay ? 'every day' : `on ${days.map((d) => DAYS[d] ?? '').join(', ')}`}`;
  }).join(' and ');
}

function hashOf(list: readonly number[]): number {
  let h = list.length;
  for (const x of list) h = (Math.imul(h, 31) + x) | 0;
  return h;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function listed(items: readonly string[], most: number): string {
  if (items.length > most) return `${items.slice(0, most).join(', ')} and ${String(items.length - most)} more`;
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
