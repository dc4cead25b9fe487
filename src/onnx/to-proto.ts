// Plain model → protobufjs message objects. Initializer placement is delegated to the caller so the same walk
// serves both inline encoding and external-data writing.
import { InternalError } from "../diagnostics/diagnostic.js";
import type { onnx as P } from "onnx-proto";
import type { OnnxAttr, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from "./model.js";
import { onnx } from "./proto.js";
import { dtypeToProto, tensorToProto } from "./tensor-codec.js";

/** Decides how one initializer is stored: inline raw_data, or a reference into an external file. */
export type PlaceInitializer = (t: OnnxTensor) => P.ITensorProto;

const AT = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

/** Lowest IR version that can carry each ai.onnx opset (ONNX release table); ORT 1.30 reads IR ≤ 13. */
export function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  if (opset === 23) return 11;
  if (opset === 24) return 12;
  return 13;
}

export function modelToProto(m: OnnxModel, place: PlaceInitializer = tensorToProto): P.IModelProto {
  const opsetImport: P.IOperatorSetIdProto[] = [{ domain: "", version: m.opset }];
  for (const [domain, version] of Object.entries(m.extraOpsets ?? {})) {
    if (domain === "" || domain === "ai.onnx")
      throw new InternalError("the ai.onnx opset belongs in `opset`");
    opsetImport.push({ domain, version });
  }
  return {
    irVersion: irVersionFor(m.opset),
    opsetImport,
    producerName: m.producerName ?? "vfmc",
    ...(m.producerVersion !== undefined ? { producerVersion: m.producerVersion } : {}),
    ...(m.docString ? { docString: m.docString } : {}),
    metadataProps: Object.entries(m.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: graphToProto(m.graph, place),
  };
}

function graphToProto(g: OnnxGraph, place: PlaceInitializer): P.IGraphProto {
  return {
    name: g.name,
    node: g.nodes.map((n) => nodeToProto(n, place)),
    input: g.inputs.map(valueInfoToProto),
    output: g.outputs.map(valueInfoToProto),
    initializer: g.initializers.map(place),
    valueInfo: (g.valueInfo ?? []).map(valueInfoToProto),
    ...(g.docString ? { docString: g.docString } : {}),
  };
}

function nodeToProto(n: OnnxNode, place: PlaceInitializer): P.INodeProto {
  return {
    opType: n.opType,
    ...(n.domain ? { domain: n.domain } : {}),
    input: [...n.inputs],
    output: [...n.outputs],
    ...(n.name ? { name: n.name } : {}),
    ...(n.docString ? { docString: n.docString } : {}),
    attribute: Object.entries(n.attrs ?? {}).map(([name, a]) => attrToProto(name, a, place)),
  };
}

function attrToProto(name: string, a: OnnxAttr, place: PlaceInitializer): P.IAttributeProto {
  switch (a.type) {
    case "int":
      return { name, type: AT.INT, i: a.i };
    case "float":
      return { name, type: AT.FLOAT, f: a.f };
    case "ints":
      return { name, type: AT.INTS, ints: [...a.ints] };
    case "floats":
      return { name, type: AT.FLOATS, floats: [...a.floats] };
    case "string":
      return { name, type: AT.STRING, s: utf8.encode(a.s) };
    case "strings":
      return { name, type: AT.STRINGS, strings: a.strings.map((s) => utf8.encode(s)) };
    case "tensor":
      // Constant-node tensors stay inline: they are small by construction (weights are initializers).
      return { name, type: AT.TENSOR, t: tensorToProto(a.t) };
    case "graph":
      return { name, type: AT.GRAPH, g: graphToProto(a.g, place) };
  }
}

function valueInfoToProto(v: OnnxValueInfo): P.IValueInfoProto {
  return {
    name: v.name,
    ...(v.docString ? { docString: v.docString } : {}),
    type: {
      tensorType: {
        elemType: dtypeToProto(v.dtype),
        shape: { dim: v.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
