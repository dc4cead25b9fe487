// protobufjs message objects → plain model. Used by tests (round trips) and by `vfmc info` on a written model;
// it reads what vfmc writes plus the common typed-field tensor encodings other tools produce.
import { InternalError } from "../diagnostics/diagnostic.js";
import type { onnx as P } from "onnx-proto";
import type { OnnxAttr, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from "./model.js";
import { onnx } from "./proto.js";
import { dataFromBytes, dataFromTypedFields, dtypeFromProto, toNumber } from "./tensor-codec.js";

/** Supplies the bytes of an external-data reference (`location` as written in the model). */
export type ExternalDataReader = (location: string, offset: number, length: number) => Uint8Array;

const AT = onnx.AttributeProto.AttributeType;
const utf8 = new TextDecoder();

export function modelFromProto(p: P.IModelProto, readExternal?: ExternalDataReader): OnnxModel {
  let opset: number | undefined;
  const extraOpsets: Record<string, number> = {};
  for (const o of p.opsetImport ?? []) {
    const domain = o.domain ?? "";
    const version = toNumber(o.version ?? 0);
    if (domain === "" || domain === "ai.onnx") opset = version;
    else extraOpsets[domain] = version;
  }
  if (!p.graph) throw new InternalError("ONNX model has no graph");
  const metadata = Object.fromEntries((p.metadataProps ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
  return {
    graph: graphFromProto(p.graph, readExternal),
    opset: opset ?? 1,
    ...(Object.keys(extraOpsets).length ? { extraOpsets } : {}),
    ...(p.producerName ? { producerName: p.producerName } : {}),
    ...(p.producerVersion ? { producerVersion: p.producerVersion } : {}),
    ...(p.docString ? { docString: p.docString } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

function graphFromProto(g: P.IGraphProto, rx?: ExternalDataReader): OnnxGraph {
  return {
    name: g.name ?? "",
    nodes: (g.node ?? []).map((n) => nodeFromProto(n, rx)),
    inputs: (g.input ?? []).map(valueInfoFromProto),
    outputs: (g.output ?? []).map(valueInfoFromProto),
    initializers: (g.initializer ?? []).map((t) => tensorFromProto(t, rx)),
    ...(g.valueInfo?.length ? { valueInfo: g.valueInfo.map(valueInfoFromProto) } : {}),
    ...(g.docString ? { docString: g.docString } : {}),
  };
}

function nodeFromProto(n: P.INodeProto, rx?: ExternalDataReader): OnnxNode {
  const attrs: Record<string, OnnxAttr> = {};
  for (const a of n.attribute ?? []) attrs[a.name ?? ""] = attrFromProto(a, rx);
  return {
    opType: n.opType ?? "",
    ...(n.domain ? { domain: n.domain } : {}),
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    ...(Object.keys(attrs).length ? { attrs } : {}),
    ...(n.name ? { name: n.name } : {}),
    ...(n.docString ? { docString: n.docString } : {}),
  };
}

function attrFromProto(a: P.IAttributeProto, rx?: ExternalDataReader): OnnxAttr {
  switch (a.type) {
    case AT.INT:
      return { type: "int", i: toNumber(a.i ?? 0) };
    case AT.FLOAT:
      return { type: "float", f: a.f ?? 0 };
    case AT.INTS:
      return { type: "ints", ints: (a.ints ?? []).map(toNumber) };
    case AT.FLOATS:
      return { type: "floats", floats: [...(a.floats ?? [])] };
    case AT.STRING:
      return { type: "string", s: utf8.decode(a.s ?? new Uint8Array()) };
    case AT.STRINGS:
      return { type: "strings", strings: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AT.TENSOR:
      return { type: "tensor", t: tensorFromProto(a.t ?? {}, rx) };
    case AT.GRAPH:
      return { type: "graph", g: graphFromProto(a.g ?? {}, rx) };
    default:
      throw new InternalError(`attribute '${a.name}' has type ${a.type}, which vfmc does not read`);
  }
}

export function tensorFromProto(t: P.ITensorProto, rx?: ExternalDataReader): OnnxTensor {
  const dtype = dtypeFromProto(t.dataType ?? 0);
  const dims = (t.dims ?? []).map(toNumber);
  let data;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
    const location = kv.get("location");
    if (location === undefined) throw new InternalError(`tensor '${t.name}' is external but has no location`);
    if (!rx) throw new InternalError(`tensor '${t.name}' lives in '${location}'; read the model by path`);
    data = dataFromBytes(dtype, rx(location, Number(kv.get("offset") ?? 0), Number(kv.get("length") ?? -1)));
  } else if (t.rawData && t.rawData.length > 0) {
    data = dataFromBytes(dtype, t.rawData);
  } else {
    data = dataFromTypedFields(dtype, t);
  }
  return { name: t.name ?? "", dtype, dims, data, ...(t.docString ? { docString: t.docString } : {}) };
}

function valueInfoFromProto(v: P.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  if (!tt) throw new InternalError(`value '${v.name}' is not a tensor`);
  return {
    name: v.name ?? "",
    dtype: dtypeFromProto(tt.elemType ?? 0),
    shape: (tt.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue ?? 0))),
    ...(v.docString ? { docString: v.docString } : {}),
  };
}
