// Where the dynamic loader would find a shared library, without loading it (Node has no dlopen for plain
// libraries): the order glibc's ld.so searches when a library asks for a bare soname — LD_LIBRARY_PATH, then the
// ldconfig cache, then the default folders. (A requesting library's own RUNPATH comes first in reality;
// onnxruntime's provider libraries carry only $ORIGIN, their own folder, which the doctor checks separately.)
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface LoaderHost {
  readonly env: NodeJS.ProcessEnv;
  /** `ldconfig -p` output; undefined without ldconfig */
  ldconfig(): string | undefined;
  /** the loader's built-in folders */
  readonly defaultLibDirs: readonly string[];
}

export type FoundVia = "LD_LIBRARY_PATH" | "ldconfig cache" | "default folder" | "extra folder";

export interface LibraryHit {
  readonly soname: string;
  /** where the loader finds it; undefined when it does not */
  readonly path?: string;
  readonly via?: FoundVia;
  /** the same library with another major version (`libcudart.so.13` when `.12` was asked for) */
  readonly otherVersions: readonly string[];
}

export const DEFAULT_LIB_DIRS = [
  "/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu",
  "/lib64",
  "/usr/lib64",
  "/lib",
  "/usr/lib",
];

function ldconfigEntries(host: LoaderHost): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (host.ldconfig() ?? "").split("\n")) {
    const m = /^\s*(\S+) \(([^)]*)\) => (\S+)/.exec(line);
    if (m && (m[2]!.includes("x86-64") || !m[2]!.includes(","))) if (!out.has(m[1]!)) out.set(m[1]!, m[3]!);
  }
  return out;
}

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The folders of LD_LIBRARY_PATH, in order. */
export function ldLibraryPath(env: NodeJS.ProcessEnv): string[] {
  return (env.LD_LIBRARY_PATH ?? "").split(":").filter((d) => d !== "");
}

/** Finds `soname` (e.g. `libcudart.so.12`) as the loader would; `extraDirs` are searched last (pip's CUDA wheels). */
export function findLibrary(soname: string, host: LoaderHost, extraDirs: readonly string[] = []): LibraryHit {
  const cache = ldconfigEntries(host);
  const stem = soname.replace(/\.so(\.\d+)*$/, ".so");
  const versionOf = (name: string) => (name.startsWith(stem + ".") ? name : undefined);
  const others = new Set<string>();
  const note = (names: Iterable<string>) => {
    for (const n of names) {
      const v = versionOf(n);
      if (v && v !== soname && /^\S+\.so\.\d+$/.test(v)) others.add(v);
    }
  };
  let hit: { path: string; via: FoundVia } | undefined;
  for (const dir of ldLibraryPath(host.env)) {
    note(listing(dir));
    if (!hit && existsSync(join(dir, soname))) hit = { path: join(dir, soname), via: "LD_LIBRARY_PATH" };
  }
  note(cache.keys());
  if (!hit && cache.has(soname)) hit = { path: cache.get(soname)!, via: "ldconfig cache" };
  for (const dir of host.defaultLibDirs) {
    note(listing(dir));
    if (!hit && existsSync(join(dir, soname))) hit = { path: join(dir, soname), via: "default folder" };
  }
  const extra = extraDirs.find((dir) => existsSync(join(dir, soname)));
  for (const dir of extraDirs) note(listing(dir));
  if (!hit && extra) hit = { path: join(extra, soname), via: "extra folder" };
  return { soname, ...(hit ?? {}), otherVersions: [...others].sort() };
}
