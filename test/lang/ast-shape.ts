// Test helper: an AST with spans removed, for comparing meaning rather than layout.
export function withoutSpans(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (key, v: unknown) =>
      key === "span" || key === "pathSpan" || key === "file" ? undefined : v,
    ),
  );
}
