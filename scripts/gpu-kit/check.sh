#!/usr/bin/env bash
# vfmc GPU run kit: measure vfmc on this machine's GPU against PyTorch, as one prepared command.
#   ./check.sh                       --device webgpu, 20 steps per recipe
#   ./check.sh --device cuda         onnxruntime's CUDA provider (needs its libraries: ./vfmc doctor says how)
#   ./check.sh --device cpu --quick  the kit's own smoke test (batch 2)
#   ./check.sh --help
# Prints `vfmc doctor`, then one table; writes every measurement to --out (default: a temp folder) as JSON.
set -uo pipefail
kit="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The kit's Vulkan loader only where the machine has none: a system loader finds the system's drivers the same way.
if ! { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# The PyTorch peer: VFMC_BENCH_PYTHON, else the first python3 that imports torch.
if [ -z "${VFMC_BENCH_PYTHON:-}" ]; then
  for p in "$(command -v python3 2>/dev/null)" /usr/bin/python3 /opt/conda/bin/python3 /usr/local/bin/python3; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import torch' >/dev/null 2>&1; then
      export VFMC_BENCH_PYTHON="$p"
      break
    fi
  done
fi

exec "$kit/node/bin/node" "$kit/app/node_modules/.cache/vfmc-bench/gpu-check.mjs" "$@"
