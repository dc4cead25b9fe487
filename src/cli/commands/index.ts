// Every CLI command, in the order `vfmc --help` lists them.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerCheck } from "./check.js";
import { registerInfo } from "./info.js";
import { registerFmt } from "./fmt.js";
import { registerCompile } from "./compile.js";
import { registerLsp } from "./lsp.js";
import { registerRun } from "./run.js";
import { registerEval } from "./eval.js";
import { registerRasa } from "./rasa.js";
import { registerViz } from "./viz.js";
import { registerReport } from "./report.js";
import { registerDoctor } from "./doctor.js";

/** A command adds itself to the program and stores its exit code in `result.code`. */
export type RegisterCommand = (program: Command, io: Io, result: { code: number }) => void;

export const commands: readonly RegisterCommand[] = [
  registerCheck,
  registerInfo,
  registerFmt,
  registerCompile,
  registerLsp,
  registerRun,
  registerEval,
  registerRasa,
  registerViz,
  registerReport,
  registerDoctor,
];
