#!/usr/bin/env bash
# Budgeted NAS-Bench-201 search on MNIST digits, K seeds x 4 strategies, one run after another, into the folder
# layout `aggregate` reads (ROOT/STRATEGY/seed-N/search). Every cell is scored by the NAS-Bench-201 table.
# Usage: tools/search-quality/nb201-mnist.sh MNIST_DIR TABLE_CSV ROOT [SEEDS...]
#   MNIST_DIR  the IDX files written by tools/mnist/convert.mjs
#   TABLE_CSV  a NAS-Bench-201 CSV (arch_str, valid-accuracy, test-accuracy)
#   ROOT       output folder; then: istanas aggregate --input ROOT
# Environment: SAMPLE (how to start the CLI; default: dotnet run of src/IstaNas.Cli, Release),
#              EPOCHS (10), STEPS (40 minibatches per epoch), BATCH (64), CHANNELS (8), CELLS (1), CANDIDATES (20).
# Runs with 1 thread and the passive OpenMP wait policy (a shared machine); a finished run (result.json) is skipped.
set -euo pipefail
if [ $# -lt 3 ]; then sed -n 4,10p "$0"; exit 2; fi
mnist=$1; table=$2; root=$3; shift 3
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(0 1 2)
here=$(cd "$(dirname "$0")/../.." && pwd)
read -r -a sample <<< "${SAMPLE:-dotnet run --project $here/src/IstaNas.Cli -c Release --}"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
data="idx:$mnist/train-images-idx3-ubyte,$mnist/train-labels-idx1-ubyte"
common=(search --space nb201 --table "$table" --data "$data" --channels "${CHANNELS:-8}" --layers "${CELLS:-1}"
        --batch-size "${BATCH:-64}" --epochs "${EPOCHS:-10}" --steps-per-epoch "${STEPS:-40}" --threads 1 --wait-policy passive --quiet)
for strategy in two-stage darts random-ws random; do
  case $strategy in
    random-ws) extra=(--strategy random --weight-sharing --candidates "${CANDIDATES:-20}") ;;
    *) extra=(--strategy "$strategy") ;;
  esac
  for seed in "${seeds[@]}"; do
    out="$root/$strategy/seed-$seed/search"
    if [ -f "$out/result.json" ]; then echo "skip $out (done)"; continue; fi
    echo "$(date -u +%H:%M:%S) $strategy seed $seed -> $out"
    "${sample[@]}" "${common[@]}" "${extra[@]}" --seed "$seed" --output "$out"
  done
done
