// One node of a model file by name, for turning a runtime's "node X failed" back into the spec construct that
// built it (every node vfmc emits carries `<file>:<line>:<col> <spec path>` as its doc string, lower/source.ts).
// Reads only the graph structure: tensors, inline or external, are not decoded.
import type { onnx as P } from "onnx-proto";
import { onnx } from "./proto.js";

export interface FoundNode {
  readonly name: string;
  readonly opType: string;
  readonly docString?: string;
  /** names of the Loop/If/Scan nodes whose body holds it, outermost first */
  readonly within: readonly string[];
}

function search(g: P.IGraphProto, name: string, within: readonly string[]): FoundNode | undefined {
  for (const n of g.node ?? []) {
    if (n.name === name)
      return { name, opType: n.opType ?? "?", ...(n.docString ? { docString: n.docString } : {}), within };
    for (const a of n.attribute ?? []) {
      const bodies = [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
      for (const body of bodies) {
        const found = search(body, name, [...within, n.name ?? n.opType ?? "?"]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The node called `name` in an encoded model (its subgraphs included), or undefined. */
export function findNode(model: Uint8Array, name: string): FoundNode | undefined {
  const proto = onnx.ModelProto.decode(model);
  return proto.graph ? search(proto.graph, name, []) : undefined;
}
