"""Projection heads (reference §2): DINOv2 DINOHead and Franca's nested (Matryoshka) head, F+ variant.

Both take parameters from a flat dict with the caller's prefix (`dino_head.`, `ibot_head.`), so the
state-dict names match the training checkpoints.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class HeadConfig:
    layers: int = 3
    hidden: int = 2048
    bottleneck: int = 256
    prototypes: int = 65536
    l2norm: bool = True  # DINOv2 true; Franca's nested heads false (§2.2)
    nested: int = 1  # 1 → DINOHead names; n > 1 → Matryoshka head with levels D/2^(n-1) … D
    gelu_after_bottleneck: bool = False  # Franca's nested heads true

    @property
    def is_nested(self) -> bool:
        return self.nested > 1

    def levels(self, dim: int) -> List[int]:
        widths = [dim // (2 ** (self.nested - 1 - l)) for l in range(self.nested)]
        assert all(w * (2 ** (self.nested - 1 - l)) == dim for l, w in enumerate(widths)), "dim must divide"
        return widths

    def level_prototypes(self, dim: int) -> List[int]:
        return [int(self.prototypes * w / dim) for w in self.levels(dim)]

    def to_json(self, dim: int) -> Dict[str, object]:
        out: Dict[str, object] = {
            "layers": self.layers, "hidden": self.hidden, "bottleneck": self.bottleneck,
            "prototypes": self.prototypes, "l2norm": self.l2norm, "nested": self.nested,
            "gelu_after_bottleneck": self.gelu_after_bottleneck,
        }
        if self.is_nested:  # derived, for convenience
            out["level_dims"] = self.levels(dim)
            out["level_prototypes"] = self.level_prototypes(dim)
            out["projection"] = "F+: Linear(d_l -> d_l) on z[..., :d_l]"
        return out


def _mlp_shapes(prefix: str, d_in: int, cfg: HeadConfig) -> "OrderedDict[str, List[int]]":
    s: "OrderedDict[str, List[int]]" = OrderedDict()
    assert cfg.layers >= 2, "single-layer heads (a bare Linear named mlp.weight) are not modelled"
    dims = [d_in] + [cfg.hidden] * (cfg.layers - 1) + [cfg.bottleneck]
    for k in range(cfg.layers):
        s[f"{prefix}{2 * k}.weight"] = [dims[k + 1], dims[k]]
        s[f"{prefix}{2 * k}.bias"] = [dims[k + 1]]
    return s


def param_shapes(prefix: str, dim: int, cfg: HeadConfig) -> "OrderedDict[str, List[int]]":
    s: "OrderedDict[str, List[int]]" = OrderedDict()
    if not cfg.is_nested:
        s.update(_mlp_shapes(prefix + "mlp.", dim, cfg))
        s[prefix + "last_layer.weight_g"] = [cfg.prototypes, 1]
        s[prefix + "last_layer.weight_v"] = [cfg.prototypes, cfg.bottleneck]
        return s
    for l, (d, k) in enumerate(zip(cfg.levels(dim), cfg.level_prototypes(dim))):
        s[f"{prefix}matryoshka_projections.{l}.weight"] = [d, d]
        s[f"{prefix}matryoshka_projections.{l}.bias"] = [d]
        s.update(_mlp_shapes(f"{prefix}mlps.{l}.", d, cfg))
        s[f"{prefix}last_layers.{l}.weight_g"] = [k, 1]
        s[f"{prefix}last_layers.{l}.weight_v"] = [k, cfg.bottleneck]
    return s


def weight_norm(g: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """`weight_norm(dim=0)`: row k of the effective weight is g_k · v_k / ‖v_k‖₂."""
    return v * (g / v.norm(dim=1, keepdim=True))


def _mlp(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, layers: int) -> torch.Tensor:
    for k in range(layers):
        x = F.linear(x, p[f"{prefix}{2 * k}.weight"], p[f"{prefix}{2 * k}.bias"])
        if k < layers - 1:
            x = F.gelu(x)
    return x


def _bottleneck_out(z: torch.Tensor, cfg: HeadConfig) -> torch.Tensor:
    if cfg.gelu_after_bottleneck:
        z = F.gelu(z)
    if cfg.l2norm:
        eps = 1e-6 if z.dtype == torch.float16 else 1e-12
        z = F.normalize(z, p=2.0, dim=-1, eps=eps)
    return z


def dino_head(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, cfg: HeadConfig) -> torch.Tensor:
    z = _bottleneck_out(_mlp(x, p, prefix + "mlp.", cfg.layers), cfg)
    w = weight_norm(p[prefix + "last_layer.weight_g"], p[prefix + "last_layer.weight_v"])
    return F.linear(z, w)


def mrl_head(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, cfg: HeadConfig) -> List[torch.Tensor]:
    outs = []
    for l, d in enumerate(cfg.levels(x.shape[-1])):
        z = F.linear(x[..., :d], p[f"{prefix}matryoshka_projections.{l}.weight"],
                     p[f"{prefix}matryoshka_projections.{l}.bias"])
        z = _bottleneck_out(_mlp(z, p, f"{prefix}mlps.{l}.", cfg.layers), cfg)
        w = weight_norm(p[f"{prefix}last_layers.{l}.weight_g"], p[f"{prefix}last_layers.{l}.weight_v"])
        outs.append(F.linear(z, w))
    return outs


def head(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, cfg: HeadConfig) -> List[torch.Tensor]:
    """Uniform interface: a list of logit tensors (one per level; a single one for DINOHead)."""
    if not cfg.is_nested:
        return [dino_head(x, p, prefix, cfg)]
    return mrl_head(x, p, prefix, cfg)


def rasa_projector(w: torch.Tensor) -> torch.Tensor:
    """§8.2: I − u_r u_rᵀ − u_c u_cᵀ from a [2, D] weight (normalise, Gram–Schmidt row first)."""
    ur = w[0] / w[0].norm()
    uc = w[1] / w[1].norm()
    uc = uc - (uc @ ur) * ur
    uc = uc / uc.norm()
    eye = torch.eye(w.shape[1], dtype=w.dtype)
    return eye - torch.outer(ur, ur) - torch.outer(uc, uc)
