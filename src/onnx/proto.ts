// The one place that loads onnx-proto's generated protobufjs classes. onnx-proto is CommonJS, so under NodeNext the
// default import is its `module.exports`; re-exporting the namespace keeps that detail out of every other file.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type { onnx as OnnxProto } from "onnx-proto";
