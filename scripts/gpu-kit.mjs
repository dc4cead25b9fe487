// `npm run gpu:kit`: a self-contained folder and .tar.xz to carry to a GPU machine that has no Node and no internet
// (docs/bench.md, "A GPU run kit"). Inside: this Node binary, vfmc built from the working tree (dist/, the bench
// harness bundled), the production node_modules with onnxruntime-node's linux-x64 library only, the Vulkan loader,
// the vulkan-info helper and check.sh. Written to gpu-kit/ (ignored by git; a build output, never committed).
//
//   npm run gpu:kit                      build gpu-kit/vfmc-gpu-kit/ and gpu-kit/vfmc-gpu-kit.tar.xz
//   npm run gpu:kit -- --check           then unpack the archive into an empty folder and run
//                                        `check.sh --device cpu --quick` there with PATH=/usr/bin:/bin (no node)
//   npm run gpu:kit -- --no-archive      the folder only
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleBench } from "../bench/bundle.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "gpu-kit");
const NAME = "vfmc-gpu-kit";
const KIT = join(OUT, NAME);
const APP = join(KIT, "app");
const LIMIT_MIB = 50;
const args = new Set(process.argv.slice(2));
const say = (s) => process.stderr.write(s + "\n");
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: ROOT, stdio: "inherit", ...opts });

function du(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + du(join(path, f)), 0);
}
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Copies a package folder without its nested node_modules (npm ls lists those packages on their own). */
function copyPackage(from, to) {
  cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (src) => relative(from, src).split("/")[0] !== "node_modules",
  });
}

/** The Vulkan loader the dynamic linker would use here (Debian's libvulkan1). */
function vulkanLoader() {
  const cache = spawnSync("ldconfig", ["-p"], { encoding: "utf8" }).stdout ?? "";
  const hit = /libvulkan\.so\.1 \(libc6,x86-64\) => (\S+)/.exec(cache)?.[1];
  for (const p of [hit, "/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib64/libvulkan.so.1"])
    if (p && existsSync(p)) return realpathSync(p);
  return undefined;
}

function buildKit() {
  rmSync(KIT, { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });

  say("· vfmc: tsc build and the vulkan-info helper");
  run("npm", ["run", "--silent", "build"]);
  let helper = true;
  try {
    run("npm", ["run", "--silent", "build:native"]);
  } catch {
    helper = false;
    say("  (no vulkan-info helper: needs cc and Vulkan headers; doctor will not name the adapter)");
  }

  say("· app files");
  for (const f of ["package.json", "LICENSE", "README.md"]) copyFileSync(join(ROOT, f), join(APP, f));
  for (const d of ["bin", "dist", "examples", "specs"])
    cpSync(join(ROOT, d), join(APP, d), { recursive: true });
  mkdirSync(join(APP, "bench/recipes"), { recursive: true });
  cpSync(join(ROOT, "bench/recipes"), join(APP, "bench/recipes"), { recursive: true });
  copyFileSync(join(ROOT, "bench/torch_peer.py"), join(APP, "bench/torch_peer.py"));
  mkdirSync(join(APP, "test/reference"), { recursive: true });
  for (const f of readdirSync(join(ROOT, "test/reference")).filter((f) => f.endsWith(".py")))
    copyFileSync(join(ROOT, "test/reference", f), join(APP, "test/reference", f));

  say("· production node_modules (npm ls --omit=dev)");
  const paths = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .map((p) => p.trim())
    .filter((p) => p.startsWith(join(ROOT, "node_modules") + "/"));
  for (const p of paths) copyPackage(p, join(APP, relative(ROOT, p)));
  // onnxruntime-node carries every platform's library; the kit runs on linux x64
  const ortBin = join(APP, "node_modules/onnxruntime-node/bin/napi-v6");
  for (const platform of readdirSync(ortBin))
    for (const arch of readdirSync(join(ortBin, platform)))
      if (`${platform}/${arch}` !== "linux/x64") rmSync(join(ortBin, platform, arch), { recursive: true });
  for (const platform of readdirSync(ortBin))
    if (readdirSync(join(ortBin, platform)).length === 0) rmSync(join(ortBin, platform), { recursive: true });

  say("· the bench harness, bundled (ROOT of the bundle = app/)");
  const bench = join(APP, "node_modules/.cache/vfmc-bench");
  return bundleBench(bench, { "gpu-check": "bench/gpu-check.ts" }, false).then(() => {
    say("· Node binary, Vulkan loader, check.sh");
    mkdirSync(join(KIT, "node/bin"), { recursive: true });
    copyFileSync(process.execPath, join(KIT, "node/bin/node"));
    chmodSync(join(KIT, "node/bin/node"), 0o755);
    const loader = vulkanLoader();
    if (!loader) throw new Error("no libvulkan.so.1 here to carry (apt-get install libvulkan1)");
    mkdirSync(join(KIT, "lib"), { recursive: true });
    copyFileSync(loader, join(KIT, "lib/libvulkan.so.1"));
    for (const f of ["check.sh", "vfmc"]) {
      copyFileSync(join(ROOT, "scripts/gpu-kit", f), join(KIT, f));
      chmodSync(join(KIT, f), 0o755);
    }
    copyFileSync(join(ROOT, "scripts/gpu-kit/README.txt"), join(KIT, "README.txt"));
    writeFileSync(
      join(KIT, "VERSION"),
      [
        `vfmc ${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`,
        `commit ${spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim()}`,
        `node ${process.version}`,
        `onnxruntime-node ${JSON.parse(readFileSync(join(APP, "node_modules/onnxruntime-node/package.json"), "utf8")).version}`,
        `vulkan loader ${relative("/", loader)}`,
        `vulkan-info helper ${helper ? "yes" : "no"}`,
        "",
      ].join("\n"),
    );
  });
}

function archive() {
  const file = join(OUT, `${NAME}.tar.xz`);
  rmSync(file, { force: true });
  say(`· ${relative(ROOT, file)} (xz -6)`);
  execFileSync("bash", ["-c", `tar -C "${OUT}" -cf - "${NAME}" | xz -T0 -6 > "${file}"`], {
    stdio: "inherit",
  });
  return file;
}

/** Unpacks the archive into an empty folder and runs check.sh there with a PATH that has no node. */
function localCheck(file) {
  const dir = mkdtempSync(join(tmpdir(), "vfmc-kit-check-"));
  say(`· local check in ${dir}: PATH=/usr/bin:/bin ./check.sh --device cpu --quick`);
  execFileSync("tar", ["-C", dir, "-xJf", file], { stdio: "inherit" });
  const env = { PATH: "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
  const which = spawnSync("bash", ["-c", "command -v node"], { env, encoding: "utf8" });
  if (which.stdout.trim())
    say(`  note: ${which.stdout.trim()} is on the minimal PATH; check.sh uses its own node anyway`);
  const r = spawnSync(
    join(dir, NAME, "check.sh"),
    ["--device", "cpu", "--quick", "--steps", "3", "--out", join(dir, "out")],
    {
      env,
      stdio: "inherit",
    },
  );
  say(r.status === 0 ? "local check passed" : `local check FAILED (exit ${r.status ?? r.signal})`);
  if (r.status === 0) rmSync(dir, { recursive: true, force: true });
  return r.status === 0;
}

await buildKit();
say(`kit folder: ${relative(ROOT, KIT)} (${mib(du(KIT))} uncompressed)`);
if (!args.has("--no-archive")) {
  const file = archive();
  const size = statSync(file).size;
  say(`archive: ${relative(ROOT, file)} (${mib(size)}; the limit is ${LIMIT_MIB} MiB)`);
  if (size > LIMIT_MIB * 2 ** 20) {
    say("the archive is over the limit");
    process.exitCode = 1;
  } else if (args.has("--check") && !localCheck(file)) process.exitCode = 1;
}
