"""Loss terms and teacher targets (reference §3), single process (world size 1)."""

from __future__ import annotations

from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F

CENTER_MOMENTUM = 0.9


# --- teacher targets (§3.2) -------------------------------------------------------------------------

def centering_targets(z: torch.Tensor, center: torch.Tensor, teacher_temp: float) -> torch.Tensor:
    """softmax((z − c)/τ_t) over prototypes; `center` broadcasts ([1, K] for DINO, [1, 1, K] for iBOT)."""
    return torch.softmax((z - center) / teacher_temp, dim=-1)


def center_update(center: torch.Tensor, z: torch.Tensor, momentum: float = CENTER_MOMENTUM) -> torch.Tensor:
    """c ← m·c + (1 − m)·mean over the rows of z (all teacher rows of the step). Shape of c kept."""
    batch_mean = z.reshape(-1, z.shape[-1]).mean(dim=0)
    return center * momentum + batch_mean.reshape(center.shape) * (1 - momentum)


def sinkhorn_targets(
    z: torch.Tensor,
    teacher_temp: float,
    iterations: int = 3,
    b_total: Optional[int] = None,
    prenormalise: bool = True,
) -> torch.Tensor:
    """Sinkhorn–Knopp, steps exactly as §3.2 (no max subtraction; K and B_tot kept although they cancel).

    z [Bq, K] → targets [Bq, K] whose rows sum to 1. `b_total` defaults to Bq (DINO CLS); for iBOT it
    is the number of masked patches, which differs from Bq in Franca where padded rows take part.
    """
    q = torch.exp(z / teacher_temp).t()  # [K, Bq]
    k = q.shape[0]
    b = q.shape[1] if b_total is None else b_total
    if prenormalise:  # DINOv2 only; Franca's MRL version skips it
        q = q / q.sum()
    for _ in range(iterations):
        q = q / q.sum(dim=1, keepdim=True)
        q = q / k
        q = q / q.sum(dim=0, keepdim=True)
        q = q / b
    q = q * b
    return q.t()


def swap_views(x: torch.Tensor) -> torch.Tensor:
    """Teacher rows [t1; t2] → [t2; t1] so that student row i meets the other view of image i (§3.1)."""
    t1, t2 = x.chunk(2)
    return torch.cat([t2, t1])


# --- DINO CLS loss (§3.3) ---------------------------------------------------------------------------

def _neg_ce(t: torch.Tensor, s_logsoftmax: torch.Tensor) -> torch.Tensor:
    return (t * s_logsoftmax).sum(dim=-1)


def dino_loss(
    student_global: torch.Tensor,
    student_local: Optional[torch.Tensor],
    teacher_targets: torch.Tensor,
    n_local: int,
    student_temp: float = 0.1,
    n_global: int = 2,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Returns (local part, global part); L_dino = local + global.

    student_global [2B, K] in crop order [s1; s2]; teacher_targets [2B, K] already swapped [t2; t1];
    student_local [n_local·B, K] crop-major. Both parts divided by n_terms = n_g(n_g−1) + n_g·n_l.
    """
    n_terms = n_global * (n_global - 1) + n_global * n_local
    teacher_chunks = teacher_targets.chunk(n_global)
    local = student_global.new_zeros(())
    if n_local > 0 and student_local is not None:
        for s in student_local.chunk(n_local):
            lsm = F.log_softmax(s / student_temp, dim=-1)
            for t in teacher_chunks:
                local = local - _neg_ce(t, lsm).mean()
    lsm_g = F.log_softmax(student_global / student_temp, dim=-1)
    glob = -_neg_ce(teacher_targets, lsm_g).mean() * 2.0  # loss_scales = 2: both global crops at once
    return local / n_terms, glob / n_terms


# --- iBOT masked-patch loss (§3.4) ------------------------------------------------------------------

def masks_weight(masks: torch.Tensor) -> torch.Tensor:
    """Per masked token (row-major over [image, patch]) the weight 1/m_i of its image."""
    per_image = 1.0 / masks.sum(dim=-1).clamp(min=1).to(torch.float64)
    return per_image.unsqueeze(-1).expand_as(masks)[masks]


def ibot_loss(
    student_masked: torch.Tensor, teacher_targets: torch.Tensor, masks: torch.Tensor, student_temp: float = 0.1
) -> torch.Tensor:
    """student_masked/teacher_targets [n_masked, K] in the row-major order of `masks` [2B, P] (bool)."""
    lsm = F.log_softmax(student_masked / student_temp, dim=-1)
    w = masks_weight(masks).to(lsm.dtype)
    return -(_neg_ce(teacher_targets, lsm) * w).sum() / masks.shape[0]


# --- KoLeo (§3.5) ----------------------------------------------------------------------------------

def koleo(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """x [B, D] → −mean log(‖x̂_i − x̂_nn(i) + eps‖ + eps) with x̂ = x / max(‖x‖, eps)."""
    xn = F.normalize(x, p=2.0, dim=-1, eps=eps)
    with torch.no_grad():
        dots = xn @ xn.t()
        dots.fill_diagonal_(-1.0)
        nn_idx = dots.argmax(dim=1)
    d = (xn - xn[nn_idx] + eps).norm(dim=-1)
    return -torch.log(d + eps).mean()


def koleo_chunks(cls: torch.Tensor, n_global: int = 2) -> List[torch.Tensor]:
    """KoLeo per global-crop chunk (B rows each); the caller sums and weights them."""
    return [koleo(c) for c in cls.chunk(n_global)]
