// The command table. Each command lives in commands/<name>.ts and registers itself on the program;
// --help is generated from those registrations.
import { Command, CommanderError } from "commander";
import { clearInputs } from "../files/inputs.js";
import { processIo, type Io } from "./io.js";
import { commands } from "./commands/index.js";

export const VERSION = "0.1.0";

export function buildProgram(io: Io): { program: Command; result: { code: number } } {
  const result = { code: 0 };
  const program = new Command("vfmc")
    .description(
      "vfmc — a compiler for self-supervised vision foundation models.\n" +
        "Write a .vfm recipe (backbone, crops, masking, heads, losses, optimiser), check it, compile it to ONNX,\n" +
        "and train it on onnxruntime.",
    )
    .version(VERSION)
    .option("--trace", "print stacks for internal errors (for reporting vfmc bugs)")
    .showHelpAfterError("(run `vfmc --help` for the commands)")
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const register of commands) register(program, io, result);
  program.addHelpText(
    "after",
    "\nExamples:\n" +
      "  vfmc check specs/franca.vfm            report problems in a spec\n" +
      "  vfmc info specs/dinov2.vfm --model dinov2_vitb14\n" +
      "  vfmc fmt --write specs/*.vfm           canonical formatting\n",
  );
  return { program, result };
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const { program, result } = buildProgram(io);
  clearInputs(); // what an earlier command in this process read is no input of this one
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return result.code;
}
