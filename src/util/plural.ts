/** `13 jobs`, `1 job`, `2 files`: a count and its word, plural unless the count is 1 (`plural` for irregular words). */
export function counted(count: number, word: string, plural = `${word}s`): string {
  return `${String(count)} ${count === 1 ? word : plural}`;
}
