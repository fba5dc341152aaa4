#!/bin/sh
# features.sh DATE: derive data/DATE/features.csv from data/DATE/raw.csv.
# Adds amount_sq (amount squared) and is_large (amount above 12.5).
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "features: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

in="data/$ds/raw.csv"
out="data/$ds/features.csv"
echo "features: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"

if [ ! -f "$in" ]; then
  echo "features: input $in is missing (did extract and validate run for $ds?)" >&2
  exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
awk -F, -v OFS=, '
  NR == 1 { print "id,amount,amount_sq,is_large"; next }
  { print $1, $3, sprintf("%.4f", $3 * $3), ($3 > 12.5 ? 1 : 0) }
' "$in" > "$tmp"
mv "$tmp" "$out"

echo "features: wrote $(($(wc -l < "$out") - 1)) rows to $out"
