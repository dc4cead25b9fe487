"""Runs the official ONNX checker on a model file; used by test/harness/onnx-checker.ts.

Exit status: 0 valid, 1 invalid (message on stdout), 3 the onnx package is missing.

This is `onnx.checker.check_model(path, full_check=True)` spelled out, because in ONNX 1.12 that call runs
`infer_shapes_path(path)` with the output defaulting to the input: it *overwrites the model being checked* with
the shape-inferred one. Here the inferred model goes to a throw-away file instead. Checking by path keeps
models with external data checkable (their weights are read beside the model, not through a 2 GB protobuf).
"""
import os
import sys
import tempfile

try:
    import onnx
    import onnx.checker
    import onnx.shape_inference
except ImportError as e:  # the harness turns this into a skip (or a failure in CI)
    print(f"python package 'onnx' not importable: {e}")
    sys.exit(3)

path = sys.argv[1]
with tempfile.TemporaryDirectory() as tmp:
    try:
        onnx.checker.check_model(path)
        onnx.shape_inference.infer_shapes_path(
            path, os.path.join(tmp, "inferred.onnx"), check_type=True, strict_mode=True
        )
    except Exception as e:  # ValidationError, InferenceError, and protobuf decode errors alike mean "invalid"
        print(f"{type(e).__name__}: {e}")
        sys.exit(1)
print(f"ok (onnx {onnx.__version__})")
