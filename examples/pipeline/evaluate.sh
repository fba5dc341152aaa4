#!/bin/sh
# evaluate.sh DATE: score data/DATE/model.txt against data/DATE/features.csv.
# The score is 1 - MAE / mean, where MAE is the mean absolute error of predicting
# every amount with the model's mean (higher is better, 1 is perfect).
set -eu

ds=${1:-}
case $ds in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "evaluate: expected a date YYYY-MM-DD as the first argument, got '$ds'" >&2; exit 2 ;;
esac

model="data/$ds/model.txt"
features="data/$ds/features.csv"
echo "evaluate: ds=$ds run=${TOCK_RUN_ID:-manual} attempt=${TOCK_ATTEMPT:-1}"

for f in "$model" "$features"; do
  if [ ! -f "$f" ]; then
    echo "evaluate: input $f is missing (did train run for $ds?)" >&2
    exit 1
  fi
done

mean=$(awk -F= '$1 == "mean_amount" { print $2 }' "$model")
if [ -z "$mean" ]; then
  echo "evaluate: $model has no mean_amount line" >&2
  exit 1
fi

awk -F, -v mean="$mean" '
  NR == 1 { next }
  { n++; d = $2 - mean; mae += (d < 0 ? -d : d) }
  END {
    if (n == 0 || mean == 0) { print "evaluate: nothing to score" > "/dev/stderr"; exit 1 }
    mae /= n
    printf "evaluate: n=%d mean=%.4f mae=%.4f score=%.4f\n", n, mean, mae, 1 - mae / mean
  }
' "$features"
