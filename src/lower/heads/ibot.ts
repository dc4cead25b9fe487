// The iBOT head (reference §2.1 table, §3.1): a module of its own (`ibot_head`, separate configs) or the DINO head
// reused (`ibot.separate_head: false`). Shared-head configs run one head call on [CLS rows; buffer] in PyTorch;
// the head is row-wise, so two calls on the parts compute the same numbers.
import type { Head, Heads } from "../../ir/model.js";

export const DINO_HEAD = "dino_head";
export const IBOT_HEAD = "ibot_head";

export interface HeadUse {
  readonly module: string;
  readonly head: Head;
}

/** The head the iBOT loss runs, or null when the model has no iBOT loss. */
export function ibotHeadUse(heads: Heads): HeadUse | null {
  if (!heads.ibot) return null;
  return heads.ibot.separate
    ? { module: IBOT_HEAD, head: heads.ibot }
    : { module: DINO_HEAD, head: heads.dino };
}
