"""Masked autoencoder (He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners", §3), written from the paper
and the semantics of facebookresearch/mae (models_mae.py, util/pos_embed.py, main_pretrain.py) — no code copied.

Encoder = the ViT of vit.py on the visible patches only (fixed 2-D sin-cos positions, no mask token); decoder =
Linear(D → Dd), a mask token at every removed position, its own sin-cos positions, pre-norm blocks, LayerNorm and a
pixel predictor. Loss = MSE on the removed patches against the patchified input, each patch optionally normalised
by its own mean and unbiased variance (+1e-6). The randomness (the per-image patch order) is an input.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F

import vit as V

PIX_EPS = 1e-6


@dataclass(frozen=True)
class DecoderConfig:
    dim: int
    depth: int
    heads: int
    mlp_ratio: float = 4.0

    def block_config(self) -> V.VitConfig:
        return V.VitConfig(patch=1, dim=self.dim, depth=self.depth, heads=self.heads, mlp_ratio=self.mlp_ratio)

    def to_json(self) -> Dict[str, object]:
        return {"dim": self.dim, "depth": self.depth, "heads": self.heads, "mlp_ratio": self.mlp_ratio,
                "ffn_hidden": int(self.dim * self.mlp_ratio)}


def sincos_table(dim: int, grid: int) -> torch.Tensor:
    """[1 + grid², dim]: a zero CLS row, then per patch (row i, column j) [emb(j), emb(i)], each half
    [sin(p·w_k), cos(p·w_k)] with w_k = 10000^(-k/(dim/4)); computed in float64, returned in float32."""
    quarter = dim // 4
    assert dim % 4 == 0
    w = 1.0 / 10000.0 ** (np.arange(quarter, dtype=np.float64) / quarter)
    rows = [np.zeros(dim)]
    for i in range(grid):
        for j in range(grid):
            halves = [np.concatenate([np.sin(pos * w), np.cos(pos * w)]) for pos in (float(j), float(i))]
            rows.append(np.concatenate(halves))
    return torch.from_numpy(np.stack(rows)).float()


def param_shapes(enc: V.VitConfig, dec: DecoderConfig, channels: int = 3) -> "OrderedDict[str, List[int]]":
    """Encoder under the ViT names (no pos_embed: a fixed table; no mask_token: patches are removed), then the
    decoder under models_mae.py's names."""
    s = V.param_shapes(enc, with_mask_token=False)
    del s["pos_embed"]
    d, dd = enc.dim, dec.dim
    s["decoder_embed.weight"] = [dd, d]
    s["decoder_embed.bias"] = [dd]
    s["mask_token"] = [1, 1, dd]
    for k, v in V.param_shapes(dec.block_config(), with_mask_token=False).items():
        if k.startswith("blocks."):
            s["decoder_" + k] = v
    s["decoder_norm.weight"] = [dd]
    s["decoder_norm.bias"] = [dd]
    s["decoder_pred.weight"] = [enc.patch * enc.patch * channels, dd]
    s["decoder_pred.bias"] = [enc.patch * enc.patch * channels]
    return s


def visible_count(patches: int, ratio: float) -> int:
    return int(patches * (1 - ratio))


def patchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """[N, C, H, W] → [N, L, p·p·C], values of a patch in (row, column, channel) order."""
    n, c, h, w = x.shape
    t = x.reshape(n, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1)
    return t.reshape(n, (h // p) * (w // p), p * p * c)


@dataclass
class MaeOutput:
    loss: torch.Tensor
    pred: torch.Tensor  # [N, L, p·p·C]
    mask: torch.Tensor  # [N, L], 1 = removed
    latent: torch.Tensor  # [N, 1 + K, D] the encoder's output after its final LayerNorm
    target: torch.Tensor  # [N, L, p·p·C]


def forward(p: Dict[str, torch.Tensor], enc: V.VitConfig, dec: DecoderConfig, imgs: torch.Tensor,
            order: torch.Tensor, ratio: float, norm_pix: bool) -> MaeOutput:
    """imgs [N, 3, H, W] already normalised; order [N, L] int64, each row a permutation (first K kept)."""
    n, _, h, w = imgs.shape
    grid = h // enc.patch
    L = grid * grid
    K = visible_count(L, ratio)
    dt = imgs.dtype
    pos = sincos_table(enc.dim, grid).to(dt)
    t = F.conv2d(imgs, p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], stride=enc.patch)
    t = t.flatten(2).transpose(1, 2) + pos[1:]  # [N, L, D]
    kept = order[:, :K]
    t = torch.stack([t[b, kept[b]] for b in range(n)])  # [N, K, D]
    cls = (p["cls_token"] + pos[:1]).expand(n, -1, -1)
    x = torch.cat([cls, t], dim=1)
    for i in range(enc.depth):
        x = V.block(x, p, i, enc)
    latent = F.layer_norm(x, (enc.dim,), p["norm.weight"], p["norm.bias"], V.NORM_EPS)

    y = F.linear(latent, p["decoder_embed.weight"], p["decoder_embed.bias"])  # [N, 1 + K, Dd]
    full = p["mask_token"].expand(n, L, dec.dim).clone()  # every position a mask token …
    rows = []
    for b in range(n):
        r = full[b].clone()
        r[kept[b]] = y[b, 1:]  # … except the visible ones, back at their own place
        rows.append(r)
    x = torch.cat([y[:, :1], torch.stack(rows)], dim=1) + sincos_table(dec.dim, grid).to(dt)
    blocks = {k[len("decoder_"):]: v for k, v in p.items() if k.startswith("decoder_blocks.")}
    bc = dec.block_config()
    for i in range(dec.depth):
        x = V.block(x, blocks, i, bc)
    x = F.layer_norm(x, (dec.dim,), p["decoder_norm.weight"], p["decoder_norm.bias"], V.NORM_EPS)
    pred = F.linear(x, p["decoder_pred.weight"], p["decoder_pred.bias"])[:, 1:]

    mask = torch.ones(n, L, dtype=dt)
    for b in range(n):
        mask[b, kept[b]] = 0
    target = patchify(imgs, enc.patch)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)  # unbiased, as torch's default
        target = (target - mean) / (var + PIX_EPS) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)
    loss = (per_patch * mask).sum() / mask.sum()
    return MaeOutput(loss, pred, mask, latent, target)


def decays(name: str, shape: List[int]) -> bool:
    """main_pretrain.py's timm add_weight_decay: no decay for 1-D tensors and biases."""
    return not (len(shape) == 1 or name.endswith(".bias"))


def train_step(params: Dict[str, torch.Tensor], enc: V.VitConfig, dec: DecoderConfig, imgs: torch.Tensor,
               order: torch.Tensor, ratio: float, norm_pix: bool, lr: float, wd: float, betas, eps: float):
    """One AdamW step as main_pretrain.py takes it (no gradient clipping, one lr for every group)."""
    s = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    out = forward(s, enc, dec, imgs, order, ratio, norm_pix)
    out.loss.backward()
    grads = {k: v.grad.detach().clone() for k, v in s.items()}
    groups = [{"params": [v], "lr": lr, "weight_decay": wd if decays(k, list(v.shape)) else 0.0}
              for k, v in s.items()]
    opt = torch.optim.AdamW(groups, betas=betas, eps=eps, foreach=False)
    opt.step()
    return {
        "out": out,
        "grads": grads,
        "updated": {k: v.detach().clone() for k, v in s.items()},
        "exp_avg": {k: opt.state[v]["exp_avg"].detach().clone() for k, v in s.items()},
        "exp_avg_sq": {k: opt.state[v]["exp_avg_sq"].detach().clone() for k, v in s.items()},
    }
