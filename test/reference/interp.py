"""Position-embedding resize (reference §1.5).

Two independent routes to the same numbers:
* `resize_pos_grid` calls `torch.nn.functional.interpolate` exactly as the original model does
  (the semantics the fixtures must reproduce);
* `resize_matrix` derives the 1-D bicubic weight matrix `W [g, M]` from the written rules, so that
  `G' = Wy · G · Wx^T`. The self-check asserts both agree; the matrices are stored in the fixtures so
  the TypeScript lowering can compare its own matrices directly.
"""

from __future__ import annotations

import math
from typing import Tuple

import torch
import torch.nn.functional as F


def _cubic(x: float, a: float) -> float:
    x = abs(x)
    if x <= 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    if x < 2.0:
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return 0.0


def inverse_scale(m: int, g: int, offset: float) -> float:
    """Sampling step σ: `1/scale_factor = M/(g+offset)` when a scale factor is passed (offset ≠ 0), else `M/g`."""
    return m / (g + offset) if offset != 0.0 else m / g


def resize_matrix(m: int, g: int, offset: float, antialias: bool) -> torch.Tensor:
    """Row i holds the weights of the M input positions for output position i (float64)."""
    sigma = inverse_scale(m, g, offset)
    w = torch.zeros(g, m, dtype=torch.float64)
    for i in range(g):
        if not antialias:
            u = (i + 0.5) * sigma - 0.5
            i0 = math.floor(u)
            t = u - i0
            taps = (i0 - 1, i0, i0 + 1, i0 + 2)
            ks = (_cubic(1.0 + t, -0.75), _cubic(t, -0.75), _cubic(1.0 - t, -0.75), _cubic(2.0 - t, -0.75))
            for j, k in zip(taps, ks):
                w[i, min(max(j, 0), m - 1)] += k  # edge replication: clamped taps accumulate
        else:
            support = 2.0 * sigma if sigma >= 1.0 else 2.0
            center = sigma * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)  # int() truncates toward zero, as in ATen
            hi = min(int(center + support + 0.5), m)
            stretch = max(sigma, 1.0)
            raw = [_cubic((j - center + 0.5) / stretch, -0.5) for j in range(lo, hi)]
            total = sum(raw)
            for j, k in zip(range(lo, hi), raw):
                w[i, j] = k / total
    return w


def output_size(m: int, g: int, offset: float) -> int:
    return math.floor(m * ((g + offset) / m)) if offset != 0.0 else g


def resize_pos_grid(grid: torch.Tensor, gh: int, gw: int, offset: float, antialias: bool) -> torch.Tensor:
    """grid [1, D, M, M] → [1, D, gh, gw] via F.interpolate, called the way the original model calls it."""
    m = grid.shape[-1]
    kwargs = dict(mode="bicubic", align_corners=False, antialias=antialias)
    if offset != 0.0:
        out = F.interpolate(grid, scale_factor=((gh + offset) / m, (gw + offset) / m), **kwargs)
    else:
        out = F.interpolate(grid, size=(gh, gw), **kwargs)
    assert out.shape[-2:] == (gh, gw), (out.shape, gh, gw)
    return out


def needs_resize(n_pos: int, gh: int, gw: int, height: int, width: int) -> bool:
    """The original skips the resize only when the patch count equals M*M AND the image is square (pixels)."""
    return not (gh * gw == n_pos and height == width)


def interpolate_pos_embed(
    pos_embed: torch.Tensor, gh: int, gw: int, height: int, width: int, offset: float, antialias: bool
) -> torch.Tensor:
    """pos_embed [1, 1+M*M, D] → [1, 1+gh*gw, D] (computed in float32 as the original does, then cast back)."""
    n_pos = pos_embed.shape[1] - 1
    if not needs_resize(n_pos, gh, gw, height, width):
        return pos_embed
    m = int(math.isqrt(n_pos))
    assert m * m == n_pos
    dtype = pos_embed.dtype
    # The original casts to float32; a float64 reference run stays in float64 to measure rounding.
    work = pos_embed if dtype == torch.float64 else pos_embed.float()
    cls, grid = work[:, :1], work[:, 1:]
    d = grid.shape[-1]
    grid = grid.reshape(1, m, m, d).permute(0, 3, 1, 2)
    grid = resize_pos_grid(grid, gh, gw, offset, antialias)
    grid = grid.permute(0, 2, 3, 1).reshape(1, gh * gw, d)
    return torch.cat([cls, grid], dim=1).to(dtype)


def matrices(m: int, gh: int, gw: int, offset: float, antialias: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    return resize_matrix(m, gh, offset, antialias), resize_matrix(m, gw, offset, antialias)
