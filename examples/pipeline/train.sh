#!/bin/sh
# train.sh DATE: fit a tiny "model" (the mean amount) into data/DATE/model.txt.
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "train: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

in="data/$ds/features.csv"
out="data/$ds/model.txt"
echo "train: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"

if [ ! -f "$in" ]; then
  echo "train: input $in is missing (did features run for $ds?)" >&2
  exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
awk -F, '
  NR == 1 { next }
  { n++; sum += $2; large += $4 }
  END {
    if (n == 0) { print "train: no rows to train on" > "/dev/stderr"; exit 1 }
    printf "n=%d\nmean_amount=%.4f\nshare_large=%.4f\n", n, sum / n, large / n
  }
' "$in" > "$tmp"
mv "$tmp" "$out"

echo "train: model written to $out ($(paste -s -d ' ' "$out"))"
