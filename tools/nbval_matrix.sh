#!/usr/bin/env bash
# Re-execute chapters with nbval under the machine differences that change
# printed digits: OpenBLAS kernels, PyTorch CPU capabilities, one thread.
# A reader's machine may select any of them; the stored outputs must hold
# under all. Usage: tools/nbval_matrix.sh [chapters/NN_slug.ipynb ...]
# (default: every chapter). MATRIX_SETTINGS=name,name runs only those
# settings. Prints one line per setting; exit 1 if any setting failed. The tests and CI never set these variables themselves:
# they run with what the machine has.
set -uo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(chapters)
settings=(
  "default:"
  "openblas-haswell:OPENBLAS_CORETYPE=Haswell"
  "openblas-sandybridge:OPENBLAS_CORETYPE=Sandybridge"
  "aten-default:ATEN_CPU_CAPABILITY=default"
  "aten-avx2:ATEN_CPU_CAPABILITY=avx2"
  "one-thread:OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1"
)
status=0
export PYTHONHASHSEED=0 CNNBOOK_PROGRESS=0  # as `make nbval`
log_dir=$(mktemp -d)
for entry in "${settings[@]}"; do
  name=${entry%%:*}
  vars=${entry#*:}
  if [ -n "${MATRIX_SETTINGS:-}" ] && [[ ",$MATRIX_SETTINGS," != *",$name,"* ]]; then
    continue
  fi
  start=$(date +%s)
  if env $vars .venv/bin/python -m pytest -q --nbval --nbval-current-env \
      --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider \
      -n 2 --dist loadfile "${targets[@]}" >"$log_dir/$name.log" 2>&1; then
    result=passed
  else
    result="FAILED (log: $log_dir/$name.log)"
    status=1
  fi
  summary=$(grep -E '[0-9]+ (passed|failed)' "$log_dir/$name.log" | tail -1)
  printf '%-22s %-28s %s  [%s s]\n' "$name" "${vars:-(machine default)}" \
    "$result: $summary" "$(( $(date +%s) - start ))"
done
exit $status
