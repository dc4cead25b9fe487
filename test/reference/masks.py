"""Mask generators (reference §4), used only to produce the fixed masks stored in fixtures and the
statistics quoted in docs/parity.md. Random streams differ from Python's `random`/NumPy of the originals,
so only the distributions (not the draws) are comparable across languages.
"""

from __future__ import annotations

import math
from typing import List, Tuple

import torch


def _u(g: torch.Generator, lo: float, hi: float) -> float:
    return lo + (hi - lo) * float(torch.rand((), generator=g, dtype=torch.float64))


def _randint(g: torch.Generator, lo: int, hi: int) -> int:
    """Inclusive bounds."""
    return int(torch.randint(lo, hi + 1, (), generator=g))


def plan_counts(g: torch.Generator, n_img: int, ntok: int, ratio: Tuple[float, float], prob: float = 0.5):
    """§4.1: stratified target counts for the first int(n_img·prob) images, the upperbound, then shuffled."""
    n_masked_img = int(n_img * prob)
    probs = [ratio[0] + (ratio[1] - ratio[0]) * k / n_masked_img for k in range(n_masked_img + 1)] if n_masked_img else [0]
    counts, upper = [], 0
    for k in range(n_masked_img):
        counts.append(int(ntok * _u(g, probs[k], probs[k + 1])))
        upper += int(ntok * probs[k + 1])
    counts += [0] * (n_img - n_masked_img)
    order = torch.randperm(n_img, generator=g).tolist()
    return [counts[i] for i in order], upper


def block_mask(g: torch.Generator, gh: int, gw: int, n: int, max_patches: int, min_patches: int = 4,
               min_aspect: float = 0.3) -> torch.Tensor:
    """§4.2 DINOv2 MaskingGenerator: union of rectangles, count ≤ n."""
    mask = torch.zeros(gh, gw, dtype=torch.bool)
    log_lo, log_hi = math.log(min_aspect), math.log(1 / min_aspect)
    count = 0
    while count < n:
        budget = min(n - count, max_patches)
        delta = 0
        for _ in range(10):
            area = _u(g, min_patches, budget)
            aspect = math.exp(_u(g, log_lo, log_hi))
            hb, wb = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if wb < gw and hb < gh:
                top, left = _randint(g, 0, gh - hb), _randint(g, 0, gw - wb)
                new = hb * wb - int(mask[top : top + hb, left : left + wb].sum())
                if 0 < new <= budget:
                    mask[top : top + hb, left : left + wb] = True
                    delta = new
                    break
        if delta == 0:
            break
        count += delta
    return mask


def cyclic_mask(g: torch.Generator, gh: int, gw: int, n: int, min_aspect: float = 0.3) -> torch.Tensor:
    """§4.3 Franca CyclicMask: complement of one rolled visible block of exactly Ntok − n cells."""
    ntok = gh * gw
    if n <= 0:
        return torch.zeros(gh, gw, dtype=torch.bool)
    if n >= ntok:
        return torch.ones(gh, gw, dtype=torch.bool)
    c = ntok - n
    hi = min(math.log(1 / min_aspect), math.log(gh * gh / (c + 1e-5)))
    lo = min(max(math.log(min_aspect), math.log(c / (gw * gw))), hi)
    aspect = math.exp(_u(g, lo, hi))
    hb = min(max(math.ceil(math.sqrt(c * aspect)), 1), gh)
    wb = min(max(math.ceil(math.sqrt(c / aspect)), 1), gw)
    top = _randint(g, 0, gh - hb) if hb < gh else 0
    left = _randint(g, 0, gw - wb) if wb < gw else 0
    visible = torch.zeros(gh, gw, dtype=torch.bool)
    cells = [(top + r, left + q) for r in range(hb) for q in range(wb)][:c]
    assert len(cells) == c, "block too small for the visible count"
    for r, q in cells:
        visible[r, q] = True
    visible = torch.roll(visible, shifts=(_randint(g, 0, gh - 1), _randint(g, 0, gw - 1)), dims=(0, 1))
    return ~visible


def collate(g: torch.Generator, n_img: int, gh: int, gw: int, ratio: Tuple[float, float], kind: str):
    """→ (masks [n_img, gh*gw] bool, upperbound)."""
    counts, upper = plan_counts(g, n_img, gh * gw, ratio)
    rows: List[torch.Tensor] = []
    for n in counts:
        if kind == "cyclic":
            m = cyclic_mask(g, gh, gw, n)
        else:
            m = block_mask(g, gh, gw, n, max_patches=int(0.5 * gh * gw))
        rows.append(m.flatten())
    return torch.stack(rows), upper
