"""Fixture assembly: seeded random tensors, the float32-vs-float64 double run, and the writer.

Every case computes its outputs twice from the SAME float32-representable inputs: once in float32 and
once in float64. The stored goldens are the float64 results rounded to float32; the JSON records, per
output tensor, how far the float32 run was from them (`observed_f32_vs_f64`).
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Callable, Dict, Mapping, Optional

import numpy as np
import torch

import safetensors_io as st

FORMAT_VERSION = 1


def generator(case: str) -> torch.Generator:
    """Deterministic per case: seed = crc32(case name)."""
    g = torch.Generator()
    g.manual_seed(zlib.crc32(case.encode("utf-8")))
    return g


def randn(g: torch.Generator, shape, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale + shift).float()


def rand(g: torch.Generator, shape, lo: float = 0.0, hi: float = 1.0) -> torch.Tensor:
    return (torch.rand(*shape, generator=g, dtype=torch.float64) * (hi - lo) + lo).float()


def init_param(g: torch.Generator, name: str, shape) -> torch.Tensor:
    """Non-trivial values for every tensor kind (so a mix-up of any two shows), activations O(1)."""
    last = name.rsplit(".", 1)[-1]
    if last == "gamma":
        return rand(g, shape, 0.3, 1.0)
    if last == "weight_g":
        return rand(g, shape, 0.6, 1.4)
    if "norm" in name and last == "weight":
        return randn(g, shape, 0.1, 1.0)
    if last == "bias":
        return randn(g, shape, 0.1)
    if name.endswith("patch_embed.proj.weight"):
        fan_in = shape[1] * shape[2] * shape[3]
        return randn(g, shape, fan_in**-0.5)
    if last in ("weight", "weight_v"):
        return randn(g, shape, shape[1] ** -0.5)
    if last in ("cls_token", "register_tokens", "mask_token", "pos_embed"):
        return randn(g, shape, 0.5)
    raise ValueError(f"no init rule for {name}")


def init_params(g: torch.Generator, shapes: Mapping[str, list]) -> Dict[str, torch.Tensor]:
    return {k: init_param(g, k, v) for k, v in shapes.items()}


def cast(d: Mapping[str, torch.Tensor], dtype: torch.dtype) -> Dict[str, torch.Tensor]:
    return {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in d.items()}


def f32(x: float) -> float:
    """The float32 value actually stored for a scalar (the float64 run uses it too)."""
    return float(np.float32(x))


def to_json(value, indent: int = 0) -> str:
    """Indented JSON with lists of scalars (shapes, ranges) kept on one line."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {to_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        return "[\n" + ",\n".join(inner + to_json(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


class Fixture:
    def __init__(self, case: str, kind: str, description: str, config: Dict[str, object]):
        self.case, self.kind, self.description, self.config = case, kind, description, config
        self.tensors: Dict[str, np.ndarray] = {}
        self.roles: Dict[str, Dict[str, object]] = {}
        self.tolerance: Dict[str, Dict[str, float]] = {}
        self.notes: list = []
        # Per-parameter tensors are described once: `parameters` (name → shape/info) and `families`
        # (prefix → meaning); a tensor named prefix+param is then not listed again under `tensors`.
        self.parameters: Dict[str, Dict[str, object]] = {}
        self.families: Dict[str, str] = {}

    def set_parameters(self, shapes: Mapping[str, list], info: Optional[Mapping[str, Mapping]] = None) -> None:
        for k, v in shapes.items():
            self.parameters[k] = {"shape": list(v), **dict((info or {}).get(k, {}))}

    def _family(self, name: str) -> Optional[str]:
        for prefix in sorted(self.families, key=len, reverse=True):
            if name.startswith(prefix) and name[len(prefix):] in self.parameters:
                return prefix
        return None

    def add(self, name: str, value, role: str, doc: str = "") -> None:
        assert name not in self.tensors, name
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            if value.dtype == torch.bool:
                value = value.to(torch.uint8)
            if value.is_floating_point():
                value = value.to(torch.float32)
            value = value.numpy()
        elif isinstance(value, (float, int)) and not isinstance(value, bool):
            value = np.asarray(value, dtype=np.float32 if isinstance(value, float) else np.int64)
        self.tensors[name] = np.array(value, order="C", copy=True)  # keeps 0-d scalars 0-d (shape [])
        entry: Dict[str, object] = {"role": role}
        if doc:
            entry["doc"] = doc
        self.roles[name] = entry

    def add_all(self, prefix: str, d: Mapping[str, torch.Tensor], role: str) -> None:
        for k, v in d.items():
            self.add(prefix + k, v, role)

    def add_outputs(self, run: Callable[[torch.dtype], Dict[str, torch.Tensor]], role_of=None,
                    docs: Optional[Mapping[str, str]] = None) -> Dict[str, torch.Tensor]:
        """Run in float32 and float64; store the float64 results (as float32) and the observed gap."""
        lo = run(torch.float32)
        hi = run(torch.float64)
        assert lo.keys() == hi.keys()
        for name in hi:
            a, b = lo[name].detach(), hi[name].detach()
            if b.is_floating_point():
                assert torch.isfinite(b).all() and torch.isfinite(a).all(), f"non-finite values in {name}"
                diff = (a.double() - b.double()).abs()
                scale = b.double().abs().max().item() if b.numel() else 0.0
                gap = diff.max().item() if b.numel() else 0.0
                self.tolerance[name] = {"max_abs": float(f"{gap:.3g}"),
                                        "max_rel": float(f"{gap / scale:.3g}") if scale > 0 else 0.0}
            else:
                assert torch.equal(a, b), f"integer output {name} differs between float32 and float64"
            role = role_of(name) if role_of else name.split(".", 1)[0]
            self.add(name, b, role, (docs or {}).get(name, ""))
        return hi

    def save(self, out_dir: str) -> Dict[str, int]:
        os.makedirs(out_dir, exist_ok=True)
        meta = {"format_version": str(FORMAT_VERSION), "case": self.case}
        st_path = os.path.join(out_dir, self.case + ".safetensors")
        st.save_file(st_path, self.tensors, meta)
        tensors = {}
        for name in sorted(self.tensors):
            if self._family(name) is not None:
                continue
            arr = self.tensors[name]
            tensors[name] = {"dtype": st._code_of(arr.dtype), "shape": list(arr.shape), **self.roles[name]}
        tolerance: Dict[str, Dict[str, float]] = {}
        for name, tol in self.tolerance.items():
            fam = self._family(name)
            key = name if fam is None else fam + "*"
            prev = tolerance.get(key, {"max_abs": 0.0, "max_rel": 0.0})
            tolerance[key] = {k: max(prev[k], tol[k]) for k in prev}
        doc = {
            "format_version": FORMAT_VERSION,
            "case": self.case,
            "kind": self.kind,
            "description": self.description,
            "generator": "test/reference/reference.py (torch %s), seed crc32(case)" % torch.__version__.split("+")[0],
            "golden": "outputs computed in float64 from the stored float32 inputs, rounded to float32",
            "config": self.config,
            "notes": self.notes,
            "parameters": self.parameters,
            "families": self.families,
            "tensors": tensors,
            "observed_f32_vs_f64": tolerance,
        }
        js_path = os.path.join(out_dir, self.case + ".json")
        with open(js_path, "w") as f:
            f.write(to_json(doc) + "\n")
        return {"safetensors": os.path.getsize(st_path), "json": os.path.getsize(js_path)}
