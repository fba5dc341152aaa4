#!/bin/sh
# report.sh DATE: summarise data/DATE/raw.csv into data/DATE/report.txt.
# Runs in parallel with features (both need only validate).
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "report: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

in="data/$ds/raw.csv"
out="data/$ds/report.txt"
echo "report: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"

if [ ! -f "$in" ]; then
  echo "report: input $in is missing (did extract run for $ds?)" >&2
  exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
awk -F, -v ds="$ds" '
  NR == 1 { next }
  { n++; sum += $3; if (n == 1 || $3 < min) min = $3; if (n == 1 || $3 > max) max = $3 }
  END {
    printf "date=%s\nrows=%d\nmin=%.2f\nmax=%.2f\ntotal=%.2f\n", ds, n, min, max, sum
  }
' "$in" > "$tmp"
mv "$tmp" "$out"

echo "report: $(paste -s -d ' ' "$out")"
