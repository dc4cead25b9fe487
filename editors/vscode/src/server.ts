// Entry of the server bundled into the extension (dist/server.js): the same server `vfmc lsp --stdio` runs.
import { serveStdio } from "../../../src/lsp/stdio.js";

serveStdio();
