#!/bin/sh
# extract.sh DATE: generate data/DATE/raw.csv with $ROWS rows (default 20).
# POSIX sh + coreutils + awk only. Run from examples/ (tock sets the working
# directory to the jobfile's directory).
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "extract: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

rows=${ROWS:-20}
case $rows in
  '' | *[!0-9]* | 0) echo "extract: ROWS must be a positive integer, got '$rows'" >&2; exit 2 ;;
esac

out="data/$ds"
echo "extract: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"
mkdir -p "$out"

# A seed derived from the date makes each partition different but reproducible.
seed=$(echo "$ds" | tr -d '-' | awk '{ print $1 % 997 }')

tmp="$out/raw.csv.tmp.$$"
trap 'rm -f "$tmp"' EXIT
{
  echo "id,day,amount"
  seq 1 "$rows" | awk -v ds="$ds" -v seed="$seed" \
    '{ printf "%d,%s,%.2f\n", $1, ds, (($1 * 37 + seed) % 101) / 4 }'
} > "$tmp"
mv "$tmp" "$out/raw.csv"   # atomic: readers never see a half-written file

echo "extract: wrote $rows rows to $out/raw.csv"
