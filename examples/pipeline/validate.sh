#!/bin/sh
# validate.sh DATE: check data/DATE/raw.csv (header, row count, field count).
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "validate: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

in="data/$ds/raw.csv"
min_rows=${MIN_ROWS:-10}
echo "validate: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"

if [ ! -f "$in" ]; then
  echo "validate: input $in is missing (did extract run for $ds?)" >&2
  exit 1
fi

header=$(head -n 1 "$in")
if [ "$header" != "id,day,amount" ]; then
  echo "validate: bad header in $in: '$header' (expected 'id,day,amount')" >&2
  exit 1
fi

rows=$(($(wc -l < "$in") - 1))
if [ "$rows" -lt "$min_rows" ]; then
  echo "validate: $in has $rows data rows, expected at least $min_rows" >&2
  exit 1
fi

bad=$(awk -F, 'NR > 1 && NF != 3 { n++ } END { print n + 0 }' "$in")
if [ "$bad" -ne 0 ]; then
  echo "validate: $in has $bad rows without exactly 3 fields" >&2
  exit 1
fi

echo "validate: $in ok ($rows rows)"
