#!/usr/bin/env node
// Loads the compiled CLI; `npm ci` builds dist/ through the `prepare` script.
import { main } from "../dist/cli/main.js";

// `vfmc … | head` closes the pipe early: that ends the output, it is not an error worth a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
