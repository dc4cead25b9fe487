"""One DINOv2 / Franca training iteration (reference §3, §6, §7), single process, drop path 0.

Parameter naming: student backbone tensors use the hub names (§1.3), heads `dino_head.*` / `ibot_head.*`;
the teacher holds the same names (the fixtures prefix them with `teacher.`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch

import heads as H
import losses as L
import vit as V


@dataclass(frozen=True)
class LossConfig:
    targets: str = "sinkhorn"  # "sinkhorn" | "centering"
    sinkhorn_iterations: int = 3
    student_temp: float = 0.1
    dino_weight: float = 1.0
    ibot_weight: float = 1.0
    koleo_weight: float = 0.1
    center_momentum: float = L.CENTER_MOMENTUM


@dataclass(frozen=True)
class OptimConfig:
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    layer_decay: float = 1.0
    patch_embed_lr: float = 0.2
    clip: float = 3.0


@dataclass(frozen=True)
class TrainConfig:
    vit: V.VitConfig
    dino_head: H.HeadConfig
    ibot_head: Optional[H.HeadConfig]  # None → iBOT shares dino_head (ibot.separate false)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    n_local: int = 2

    @property
    def franca(self) -> bool:
        """Nested heads select Franca's loss flavour (no Sinkhorn pre-division, padded iBOT rows)."""
        return self.dino_head.is_nested

    def modules(self) -> List[str]:
        return ["backbone", "dino_head"] + (["ibot_head"] if self.ibot_head is not None else [])


def param_shapes(cfg: TrainConfig) -> "OrderedDict[str, List[int]]":
    s = V.param_shapes(cfg.vit)
    s.update(H.param_shapes("dino_head.", cfg.vit.dim, cfg.dino_head))
    if cfg.ibot_head is not None:
        s.update(H.param_shapes("ibot_head.", cfg.vit.dim, cfg.ibot_head))
    return s


def module_of(name: str) -> str:
    for m in ("dino_head", "ibot_head"):
        if name.startswith(m + "."):
            return m
    return "backbone"


# --- forward + losses ------------------------------------------------------------------------------

@dataclass
class StepInputs:
    global_crops: torch.Tensor  # [2B, 3, Sg, Sg], normalised
    local_crops: torch.Tensor  # [n_local·B, 3, Sl, Sl], normalised, crop-major
    masks: torch.Tensor  # [2B, P] bool
    upperbound: int
    teacher_temp: float
    center_dino: Optional[torch.Tensor] = None  # [1, K] (centering only)
    center_ibot: Optional[torch.Tensor] = None  # [1, 1, K]


@dataclass
class StepLosses:
    total: torch.Tensor
    dino: torch.Tensor  # weighted, summed over levels (local + global)
    dino_local: torch.Tensor
    dino_global: torch.Tensor
    ibot: torch.Tensor  # weighted, summed over levels
    koleo: torch.Tensor  # weighted (koleo_weight · Σ chunks)
    per_level_dino: List[torch.Tensor]
    per_level_ibot: List[torch.Tensor]
    extras: Dict[str, torch.Tensor]  # targets, logits, features for debugging fixtures
    new_center_dino: Optional[torch.Tensor] = None
    new_center_ibot: Optional[torch.Tensor] = None


def _ibot_head_cfg(cfg: TrainConfig) -> Tuple[str, H.HeadConfig]:
    return ("ibot_head.", cfg.ibot_head) if cfg.ibot_head is not None else ("dino_head.", cfg.dino_head)


def _gather_masked(tokens: torch.Tensor, masks: torch.Tensor, upperbound: int) -> torch.Tensor:
    """Masked patch tokens (row-major over [image, patch]) copied into a zero buffer [upperbound, D]."""
    flat = tokens.flatten(0, 1)[masks.flatten()]
    pad = flat.new_zeros(upperbound - flat.shape[0], flat.shape[1])
    return torch.cat([flat, pad])


def _heads(p: Dict[str, torch.Tensor], cfg: TrainConfig, cls: torch.Tensor, buf: torch.Tensor):
    """(dino logits per level for `cls`, ibot logits per level for `buf`); a shared head sees one batch."""
    if cfg.ibot_head is None:
        both = H.head(torch.cat([cls, buf]), p, "dino_head.", cfg.dino_head)
        n = cls.shape[0]
        return [o[:n] for o in both], [o[n:] for o in both]
    return H.head(cls, p, "dino_head.", cfg.dino_head), H.head(buf, p, "ibot_head.", cfg.ibot_head)


def compute_losses(
    student: Dict[str, torch.Tensor], teacher: Dict[str, torch.Tensor], cfg: TrainConfig, inp: StepInputs
) -> StepLosses:
    lc = cfg.loss
    masks = inp.masks
    n_masked = int(masks.sum())
    b2 = inp.global_crops.shape[0]
    ex: Dict[str, torch.Tensor] = {}

    with torch.no_grad():
        t = V.forward(teacher, cfg.vit, inp.global_crops)
        t_cls = L.swap_views(t.cls)
        t_buf = _gather_masked(t.patch_tokens, masks, inp.upperbound)
        t_dino, t_ibot = _heads(teacher, cfg, t_cls, t_buf)
        dino_targets, ibot_targets = [], []
        new_cd = new_ci = None
        for lvl, (zd, zi) in enumerate(zip(t_dino, t_ibot)):
            if lc.targets == "centering":
                assert not cfg.franca, "Franca configs use Sinkhorn"
                dino_targets.append(L.centering_targets(zd, inp.center_dino, inp.teacher_temp))
                new_cd = L.center_update(inp.center_dino, zd, lc.center_momentum)
                zi_m = zi[:n_masked]
                ibot_targets.append(L.centering_targets(zi_m.unsqueeze(0), inp.center_ibot, inp.teacher_temp)[0])
                new_ci = L.center_update(inp.center_ibot, zi_m, lc.center_momentum)
            else:
                pre = not cfg.franca
                dino_targets.append(L.sinkhorn_targets(zd, inp.teacher_temp, lc.sinkhorn_iterations, None, pre))
                # Franca keeps the zero-padded buffer rows in the iBOT Sinkhorn (tuple slicing, §3.2)
                zi_in = zi if cfg.franca else zi[:n_masked]
                ti = L.sinkhorn_targets(zi_in, inp.teacher_temp, lc.sinkhorn_iterations, n_masked, pre)
                ibot_targets.append(ti[:n_masked])
            ex[f"teacher.dino_logits.{lvl}"] = zd
            ex[f"teacher.ibot_logits.{lvl}"] = zi
            ex[f"teacher.dino_targets.{lvl}"] = dino_targets[-1]
            ex[f"teacher.ibot_targets.{lvl}"] = ibot_targets[-1]
        ex["teacher.cls"] = t.cls
        ex["teacher.patch_tokens"] = t.patch_tokens

    sg = V.forward(student, cfg.vit, inp.global_crops, masks)
    sl = V.forward(student, cfg.vit, inp.local_crops)
    s_buf = _gather_masked(sg.patch_tokens, masks, inp.upperbound)
    s_glob, s_ibot = _heads(student, cfg, sg.cls, s_buf)
    s_loc = H.head(sl.cls, student, "dino_head.", cfg.dino_head)
    ex["student.global_cls"] = sg.cls
    ex["student.global_patch_tokens"] = sg.patch_tokens
    ex["student.local_cls"] = sl.cls

    per_dino, per_ibot = [], []
    d_local = d_global = sg.cls.new_zeros(())
    for lvl in range(len(s_glob)):
        lo, gl = L.dino_loss(s_glob[lvl], s_loc[lvl], dino_targets[lvl], cfg.n_local, lc.student_temp)
        d_local, d_global = d_local + lo, d_global + gl
        per_dino.append(lo + gl)
        per_ibot.append(L.ibot_loss(s_ibot[lvl][:n_masked], ibot_targets[lvl], masks, lc.student_temp))
        ex[f"student.dino_global_logits.{lvl}"] = s_glob[lvl]
        ex[f"student.dino_local_logits.{lvl}"] = s_loc[lvl]
        ex[f"student.ibot_logits.{lvl}"] = s_ibot[lvl][:n_masked]
    dino = lc.dino_weight * (d_local + d_global)
    ibot = lc.ibot_weight * sum(per_ibot)
    koleo = lc.koleo_weight * sum(L.koleo_chunks(sg.cls))
    assert b2 % 2 == 0
    return StepLosses(
        dino + ibot + koleo, dino, lc.dino_weight * d_local, lc.dino_weight * d_global, ibot, koleo,
        per_dino, per_ibot, ex, new_cd, new_ci,
    )


# --- optimiser --------------------------------------------------------------------------------------

def group_multipliers(name: str, cfg: TrainConfig) -> Dict[str, object]:
    """lr/wd multipliers and last-layer flag of one parameter (§7.2), names relative to their module."""
    module = module_of(name)
    local = name[len(module) + 1 :] if module != "backbone" else name
    depth = cfg.vit.depth
    lr_mult = 1.0
    if module == "backbone":
        if any(k in local for k in ("pos_embed", "patch_embed", "mask_token", "cls_token", "register_tokens")):
            layer_id = 0
        elif local.startswith("blocks."):
            layer_id = int(local.split(".")[1]) + 1
        else:
            layer_id = depth + 1
        lr_mult = cfg.optim.layer_decay ** (depth + 1 - layer_id)
        if "patch_embed" in local:
            lr_mult *= cfg.optim.patch_embed_lr
    no_wd = local.endswith(".bias") or "norm" in local or "gamma" in local
    return {"lr_multiplier": lr_mult, "wd_multiplier": 0.0 if no_wd else 1.0, "is_last_layer": "last_layer" in local}


def clip_module_grads(params: List[torch.Tensor], max_norm: float) -> torch.Tensor:
    """torch.nn.utils.clip_grad_norm_ (2-norm): scale by min(1, max_norm/(‖g‖ + 1e-6))."""
    total = torch.sqrt(sum((q.grad.detach() ** 2).sum() for q in params))
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for q in params:
        q.grad.detach().mul_(coef)
    return total


@dataclass
class AdamState:
    step: int  # number of updates already taken (0 → fresh moments)
    exp_avg: Dict[str, torch.Tensor]
    exp_avg_sq: Dict[str, torch.Tensor]


@dataclass
class Schedules:
    lr: float
    last_layer_lr: float
    wd: float
    momentum: float
    teacher_temp: float


def train_step(
    student: Dict[str, torch.Tensor],
    teacher: Dict[str, torch.Tensor],
    state: AdamState,
    cfg: TrainConfig,
    inp: StepInputs,
    sch: Schedules,
) -> Dict[str, object]:
    """Returns losses, pre-clip grads, module grad norms, updated student/teacher/moments (new tensors)."""
    s = {k: v.detach().clone().requires_grad_(True) for k, v in student.items()}
    t = {k: v.detach().clone() for k, v in teacher.items()}
    res = compute_losses(s, t, cfg, inp)
    res.total.backward()
    grads = {k: v.grad.detach().clone() for k, v in s.items()}
    norms = {}
    for m in cfg.modules():
        norms[m] = clip_module_grads([v for k, v in s.items() if module_of(k) == m], cfg.optim.clip)
    groups = []
    for k, v in s.items():
        g = group_multipliers(k, cfg)
        lr = (sch.last_layer_lr if g["is_last_layer"] else sch.lr) * g["lr_multiplier"]
        groups.append({"params": [v], "lr": lr, "weight_decay": sch.wd * g["wd_multiplier"]})
    opt = torch.optim.AdamW(groups, betas=cfg.optim.betas, eps=cfg.optim.eps, foreach=False)
    if state.step > 0:
        for k, v in s.items():
            opt.state[v] = {
                "step": torch.tensor(float(state.step)),
                "exp_avg": state.exp_avg[k].detach().clone().to(v.dtype),
                "exp_avg_sq": state.exp_avg_sq[k].detach().clone().to(v.dtype),
            }
    opt.step()
    new_student = {k: v.detach().clone() for k, v in s.items()}
    m = sch.momentum
    new_teacher = {k: t[k] * m + new_student[k] * (1 - m) for k in t}
    return {
        "losses": res,
        "grads": grads,
        "grad_norms": {k: v.detach() for k, v in norms.items()},
        "student": new_student,
        "teacher": new_teacher,
        "exp_avg": {k: opt.state[v]["exp_avg"].detach().clone() for k, v in s.items()},
        "exp_avg_sq": {k: opt.state[v]["exp_avg_sq"].detach().clone() for k, v in s.items()},
        "step": state.step + 1,
    }


def adamw_by_hand(p, g, m, v, step, lr, wd, betas, eps):
    """Written-out torch.optim.AdamW update (used by the self-check to pin the semantics down)."""
    b1, b2 = betas
    t = step + 1
    p = p * (1 - lr * wd)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    denom = (v.sqrt() / (1 - b2**t) ** 0.5) + eps
    return p - (lr / (1 - b1**t)) * m / denom, m, v
