// How `model child extends parent { … }` combines bodies. Recursive by key: a child entry merges
// into the parent's entry of the same key — its value, when it has one, replaces the parent's
// (`masking cyclic` over `masking block`, `dim 1024` over `dim 768`), and blocks merge the same
// way. Order is the parent's, with keys new in the child appended in the child's order. Every
// entry keeps the span where it was written, so a diagnostic on an inherited key points into
// the parent's file; a merged entry's own span is the child's (the override is what was written last).
import type { Block, Entry } from "./ast.js";

export function mergeBlocks(parent: Block, child: Block): Block {
  const entries: Entry[] = [...parent.entries];
  for (const c of child.entries) {
    // Duplicate keys are reported by the checker on each file; here the first one takes the merge.
    const i = entries.findIndex((e) => e.key.name === c.key.name);
    const p = i >= 0 ? entries[i] : undefined;
    if (p === undefined) entries.push(c);
    else entries[i] = mergeEntries(p, c);
  }
  return { kind: "block", entries, span: child.span };
}

function mergeEntries(parent: Entry, child: Entry): Entry {
  const value = child.value ?? parent.value;
  const block =
    parent.block && child.block ? mergeBlocks(parent.block, child.block) : (child.block ?? parent.block);
  return {
    kind: "entry",
    key: child.key,
    ...(value ? { value } : {}),
    ...(block ? { block } : {}),
    span: child.span,
  };
}
