#!/usr/bin/python3
"""Convert a DINOv2 / Franca PyTorch checkpoint (.pth) to safetensors for `vfmc ... --weights` (docs/weights.md).

  /usr/bin/python3 test/reference/pth_to_safetensors.py dinov2_vitb14_pretrain.pth dinov2_vitb14.safetensors

Nested dicts are flattened with '.' ({"teacher": {"backbone.x": t}} -> "teacher.backbone.x"); a full training
checkpoint ({"model": ..., "optimizer": ..., "iteration": ...}) keeps only "model". Keys are left as they are:
vfmc itself strips module./backbone./teacher. prefixes, flattens chunked blocks and drops the training heads.
Uses safetensors.torch.save_file when the package is installed, else the ten-line writer below.
"""

import json
import struct
import sys

import torch


def flatten(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flatten(v, f"{prefix}{k}.")
        elif torch.is_tensor(v):
            yield f"{prefix}{k}", v.detach().float().contiguous().clone()  # F32; clone unshares storage


def save_file(tensors, path):
    header, offset = {}, 0
    for k, v in sorted(tensors.items()):
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + 4 * v.numel()]}
        offset += 4 * v.numel()
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for k in sorted(tensors):
            f.write(tensors[k].numpy().astype("<f4").tobytes())


def convert(src, dst):
    ckpt = torch.load(src, map_location="cpu")
    tensors = dict(flatten(ckpt.get("model", ckpt)))
    try:
        from safetensors.torch import save_file as st_save
        st_save(tensors, dst)
    except ImportError:
        save_file(tensors, dst)
    return tensors


if __name__ == "__main__":
    print(f"{len(convert(sys.argv[1], sys.argv[2]))} tensors -> {sys.argv[2]}")
