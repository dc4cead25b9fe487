"""DINOv2 / Franca ViT backbone re-implemented from the reference text (§1.2–§1.5).

Parameters are plain tensors held in an ordered dict keyed by the hub state-dict names (§1.3), so the
same code serves the fixtures (explicit weights), gradients (requires_grad leaves) and parameter counts
(shapes only). Drop path is not implemented: the fixtures use drop_path 0.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

import interp

NORM_EPS = 1e-6


@dataclass(frozen=True)
class VitConfig:
    patch: int
    dim: int
    depth: int
    heads: int
    mlp_ratio: float = 4.0
    ffn: str = "mlp"  # "mlp" (GELU erf) | "swiglu" (packed w12, DINOv2's SwiGLUFFNFused)
    qkv_bias: bool = True
    proj_bias: bool = True
    ffn_bias: bool = True
    registers: int = 0
    # 0 → no LayerScale (Identity); > 0 → ls{1,2}.gamma exist. The number is only the init value:
    # forward passes use the gamma tensors (random in the fixtures).
    layerscale: float = 0.0
    pos_grid: int = 16  # M: pos_embed holds 1 + M*M rows
    interpolate: str = "bicubic"  # "bicubic" (a = -0.75) | "bicubic_antialias" (a = -0.5, PIL-style support)
    interpolate_offset: float = 0.1

    @property
    def antialias(self) -> bool:
        return self.interpolate == "bicubic_antialias"

    @property
    def has_layerscale(self) -> bool:
        return self.layerscale > 0
    drop_path: float = 0.0

    def ffn_hidden(self) -> int:
        hidden = int(self.dim * self.mlp_ratio)
        if self.ffn == "swiglu":
            return ((int(hidden * 2 / 3) + 7) // 8) * 8
        return hidden

    def to_json(self) -> Dict[str, object]:
        return {
            "patch": self.patch, "dim": self.dim, "depth": self.depth, "heads": self.heads,
            "mlp_ratio": self.mlp_ratio, "ffn": self.ffn, "ffn_hidden": self.ffn_hidden(),
            "qkv_bias": self.qkv_bias, "proj_bias": self.proj_bias, "ffn_bias": self.ffn_bias,
            "registers": self.registers, "layerscale": self.layerscale, "pos_grid": self.pos_grid,
            "interpolate": self.interpolate, "antialias": self.antialias,  # antialias: derived
            "interpolate_offset": self.interpolate_offset, "drop_path": self.drop_path, "norm_eps": NORM_EPS,
        }


def param_shapes(cfg: VitConfig, with_mask_token: bool = True) -> "OrderedDict[str, List[int]]":
    d, p = cfg.dim, cfg.patch
    s: "OrderedDict[str, List[int]]" = OrderedDict()
    s["cls_token"] = [1, 1, d]
    s["pos_embed"] = [1, 1 + cfg.pos_grid * cfg.pos_grid, d]
    if cfg.registers > 0:
        s["register_tokens"] = [1, cfg.registers, d]
    if with_mask_token:
        s["mask_token"] = [1, d]
    s["patch_embed.proj.weight"] = [d, 3, p, p]
    s["patch_embed.proj.bias"] = [d]
    hid = cfg.ffn_hidden()
    for i in range(cfg.depth):
        b = f"blocks.{i}."
        s[b + "norm1.weight"] = [d]
        s[b + "norm1.bias"] = [d]
        s[b + "attn.qkv.weight"] = [3 * d, d]
        if cfg.qkv_bias:
            s[b + "attn.qkv.bias"] = [3 * d]
        s[b + "attn.proj.weight"] = [d, d]
        if cfg.proj_bias:
            s[b + "attn.proj.bias"] = [d]
        if cfg.has_layerscale:
            s[b + "ls1.gamma"] = [d]
        s[b + "norm2.weight"] = [d]
        s[b + "norm2.bias"] = [d]
        if cfg.ffn == "mlp":
            s[b + "mlp.fc1.weight"] = [hid, d]
            if cfg.ffn_bias:
                s[b + "mlp.fc1.bias"] = [hid]
            s[b + "mlp.fc2.weight"] = [d, hid]
            if cfg.ffn_bias:
                s[b + "mlp.fc2.bias"] = [d]
        elif cfg.ffn == "swiglu":
            s[b + "mlp.w12.weight"] = [2 * hid, d]
            if cfg.ffn_bias:
                s[b + "mlp.w12.bias"] = [2 * hid]
            s[b + "mlp.w3.weight"] = [d, hid]
            if cfg.ffn_bias:
                s[b + "mlp.w3.bias"] = [d]
        else:
            raise ValueError(f"unknown ffn {cfg.ffn}")
        if cfg.has_layerscale:
            s[b + "ls2.gamma"] = [d]
    s["norm.weight"] = [d]
    s["norm.bias"] = [d]
    return s


def _layer_norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), w, b, NORM_EPS)


def _linear(x: torch.Tensor, p: Dict[str, torch.Tensor], name: str) -> torch.Tensor:
    return F.linear(x, p[name + ".weight"], p.get(name + ".bias"))


def attention(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, heads: int) -> torch.Tensor:
    n, t, d = x.shape
    dh = d // heads
    qkv = _linear(x, p, prefix + "qkv").reshape(n, t, 3, heads, dh).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]  # [N, h, T, dh]
    a = torch.softmax((q * dh**-0.5) @ k.transpose(-2, -1), dim=-1)
    o = (a @ v).transpose(1, 2).reshape(n, t, d)
    return _linear(o, p, prefix + "proj")


def ffn(x: torch.Tensor, p: Dict[str, torch.Tensor], prefix: str, cfg: VitConfig) -> torch.Tensor:
    if cfg.ffn == "mlp":
        return _linear(F.gelu(_linear(x, p, prefix + "fc1")), p, prefix + "fc2")
    u = _linear(x, p, prefix + "w12")
    hid = cfg.ffn_hidden()
    gate, value = u[..., :hid], u[..., hid:]
    return _linear(F.silu(gate) * value, p, prefix + "w3")


def block(x: torch.Tensor, p: Dict[str, torch.Tensor], i: int, cfg: VitConfig) -> torch.Tensor:
    b = f"blocks.{i}."
    o = attention(_layer_norm(x, p[b + "norm1.weight"], p[b + "norm1.bias"]), p, b + "attn.", cfg.heads)
    if cfg.has_layerscale:
        o = o * p[b + "ls1.gamma"]
    x = x + o
    f = ffn(_layer_norm(x, p[b + "norm2.weight"], p[b + "norm2.bias"]), p, b + "mlp.", cfg)
    if cfg.has_layerscale:
        f = f * p[b + "ls2.gamma"]
    return x + f


@dataclass
class VitOutput:
    cls: torch.Tensor  # [N, D] final-LN CLS
    registers: torch.Tensor  # [N, R, D]
    patch_tokens: torch.Tensor  # [N, P, D] row-major grid
    prenorm: torch.Tensor  # [N, T, D] before the final LN
    pos_embed: torch.Tensor  # [1, 1+P, D] the (possibly interpolated) position embedding used
    blocks: List[torch.Tensor] = field(default_factory=list)  # output of each block [N, T, D]


def forward(
    p: Dict[str, torch.Tensor], cfg: VitConfig, x: torch.Tensor, masks: Optional[torch.Tensor] = None
) -> VitOutput:
    """x [N, 3, H, W] already normalised; masks [N, P] bool (student global crops only)."""
    n, _, height, width = x.shape
    assert height % cfg.patch == 0 and width % cfg.patch == 0, "patch embed asserts divisibility"
    gh, gw = height // cfg.patch, width // cfg.patch
    t = F.conv2d(x, p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], stride=cfg.patch)
    t = t.flatten(2).transpose(1, 2)  # [N, P, D], index r*gw + c
    if masks is not None:
        t = torch.where(masks.unsqueeze(-1), p["mask_token"].to(t.dtype).unsqueeze(0), t)
    t = torch.cat([p["cls_token"].expand(n, -1, -1), t], dim=1)
    pos = interp.interpolate_pos_embed(
        p["pos_embed"], gh, gw, height, width, cfg.interpolate_offset, cfg.antialias
    )
    t = t + pos
    if cfg.registers > 0:
        t = torch.cat([t[:, :1], p["register_tokens"].expand(n, -1, -1), t[:, 1:]], dim=1)
    outs = []
    for i in range(cfg.depth):
        t = block(t, p, i, cfg)
        outs.append(t)
    xn = _layer_norm(t, p["norm.weight"], p["norm.bias"])
    r = cfg.registers
    return VitOutput(xn[:, 0], xn[:, 1 : 1 + r], xn[:, 1 + r :], t, pos, outs)


def normalise_pixels(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    return (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
