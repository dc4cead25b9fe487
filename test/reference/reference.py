#!/usr/bin/python3
"""Independent PyTorch reference for vfmc: writes the golden fixtures under test/fixtures/torch.

  /usr/bin/python3 test/reference/reference.py --out test/fixtures/torch      # all fixtures
  /usr/bin/python3 test/reference/reference.py --out /tmp/fx --only vit_mlp   # some of them
  /usr/bin/python3 test/reference/reference.py --check-counts                 # §1.1 parameter counts
  /usr/bin/python3 test/reference/reference.py --self-check                   # internal consistency checks
  /usr/bin/python3 test/reference/reference.py --verify test/fixtures/torch   # recompute goldens from the files
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

torch.set_num_threads(1)  # determinism and a fair share of a small machine

import cases_inference as CI  # noqa: E402
import cases_losses as CL  # noqa: E402
import cases_mae as CM  # noqa: E402
import cases_training as CT  # noqa: E402


def all_cases():
    for fx in CI.vit_cases():
        yield fx.case, (lambda fx=fx: fx)
    for fx in CI.head_cases():
        yield fx.case, (lambda fx=fx: fx)
    yield "interp_matrices", CI.interp_matrices_case
    yield "rasa", CI.rasa_case
    for fx in CL.loss_cases():
        yield fx.case, (lambda fx=fx: fx)
    names = ["grads_dinov2", "grads_franca", "step_dinov2", "step_franca"]
    for name, make in zip(names, CT.training_cases()):
        yield name, make
    yield from CM.mae_cases()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="directory to write <case>.safetensors and <case>.json into")
    ap.add_argument("--only", nargs="*", help="case names to write (default: all)")
    ap.add_argument("--check-counts", action="store_true", help="print full-size parameter counts and compare")
    ap.add_argument("--self-check", action="store_true", help="run the internal consistency checks")
    ap.add_argument("--verify", metavar="DIR", help="recompute fixtures in DIR from their JSON + tensors only")
    args = ap.parse_args(argv)
    status = 0
    if args.check_counts:
        import checks
        status |= checks.check_counts()
    if args.self_check:
        import checks
        status |= checks.self_check()
    if args.verify:
        import verify
        status |= verify.verify(args.verify)
    if args.out:
        total = 0
        for name, make in all_cases():
            if args.only and name not in args.only:
                continue
            fx = make()
            assert fx.case == name
            sizes = fx.save(args.out)
            total += sizes["safetensors"] + sizes["json"]
            print(f"{name:24s} {sizes['safetensors']:>9d} B  + json {sizes['json']:>7d} B")
        print(f"{'total':24s} {total:>9d} B")
    if not (args.out or args.check_counts or args.self_check or args.verify):
        ap.print_help()
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
