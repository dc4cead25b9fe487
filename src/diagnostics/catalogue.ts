// Every diagnostic vfmc can print, once. Codes are never renumbered or reused (a test checks uniqueness).
// Bands: 1xxx lexing/parsing · 2xxx resolution (imports, extends, keys, value kinds) · 3xxx model checks
// (shapes, divisibility, ranges, schedules) · 4xxx compile/lowering/weights · 5xxx CLI and files · 6xxx runtime.
// Templates use {0}, {1}… for arguments; `hint` may use the same arguments.
// Exit codes (src/cli/io.ts exitCodeOf): an error is a user mistake (exit 1) unless its entry says it is a usage
// error (the command line itself is wrong, exit 2, as for commander's own errors) or a vfmc bug (exit 2).

export type Severity = "error" | "warning" | "info";

interface Entry {
  readonly code: number;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  /** a paragraph for `vfmc explain` and the LSP hover */
  readonly explain?: string;
  /** errors only: "usage" = the command line is malformed (exit 2), "bug" = a vfmc bug (exit 2); default a user
   * mistake in the inputs (exit 1) */
  readonly kind?: "usage" | "bug";
}

export const Diag = {
  // 1xxx — lexing and parsing
  UnexpectedCharacter: {
    code: 1001,
    severity: "error",
    message: "unexpected character {0}",
    hint: 'remove it; .vfm uses // for comments and "…" for strings',
  },
  UnterminatedString: {
    code: 1002,
    severity: "error",
    message: "unterminated string",
    hint: "close the string with a double quote on the same line",
  },
  UnexpectedToken: {
    code: 1003,
    severity: "error",
    message: "expected {0} but found {1}",
  },
  UnclosedBlock: {
    code: 1004,
    severity: "error",
    message: "'{' opened here is never closed",
    hint: "add the missing '}'",
  },
  BlockNotClosed: {
    code: 1005,
    severity: "error",
    message: "expected '}' to close the block opened at {0} but found {1}",
    hint: "add the missing '}' before {1}",
  },
  UnclosedList: {
    code: 1006,
    severity: "error",
    message: "'[' opened here is never closed",
    hint: "add the missing ']'",
  },
  ExpectedValue: {
    code: 1007,
    severity: "error",
    message: "expected a value but found {0}",
    hint: "a value is a number, a string, a name, true/false, a list [a, b], a range 0.1 .. 0.5 or a schedule 0.04 -> 0.07 over 30 epochs",
  },
  StrayInBlock: {
    code: 1008,
    severity: "error",
    message: "unexpected {0} in the block opened at {1}",
    hint: "entries are `key`, `key value`, `key { … }` or `key value { … }`, separated by commas or new lines",
  },
  StrayInList: {
    code: 1009,
    severity: "error",
    message: "expected ',' or ']' in the list opened at {0} but found {1}",
    hint: "list items are values separated by commas, e.g. [0.485, 0.456, 0.406]",
  },
  ExpectedTopLevel: {
    code: 1010,
    severity: "error",
    message: "expected 'model' or 'import' but found {0}",
    hint: 'a .vfm file holds `import "file.vfm"` lines and `model NAME { … }` blocks',
  },
  MalformedNumber: {
    code: 1011,
    severity: "error",
    message: "malformed number '{0}'",
    hint: "numbers look like 768, 0.5, -1 or 5e-4; put a space or a comma between a number and a name",
  },
  StrayCloseBrace: {
    code: 1012,
    severity: "error",
    message: "'}' closes no block",
    hint: "remove it, or look above for a block closed too early",
  },
  KeyValueSeparator: {
    code: 1013,
    severity: "error",
    message: "unexpected '{0}': a key and its value are separated by a space",
    hint: "write `dim 768`, not `dim: 768` or `dim = 768`",
  },
  NestingTooDeep: {
    code: 1014,
    severity: "error",
    message: "blocks and lists nest more than {0} levels deep here",
    hint: "a spec needs a handful of levels; look for '{' or '[' that were meant to be closed",
  },

  // 2001–2019 reserved for src/lang/resolve (imports, extends, model names)
  ImportNotFound: {
    code: 2001,
    severity: "error",
    message: "cannot find imported file '{0}'",
    hint: "import paths are relative to the importing file; looked for {1}",
  },
  ImportCycle: {
    code: 2002,
    severity: "error",
    message: "import cycle: {0}",
    hint: "remove one of these imports; a file cannot import itself, directly or through others",
  },
  UnknownParentModel: {
    code: 2003,
    severity: "error",
    message: "model '{0}' extends unknown model '{1}'",
    hint: "{2}",
  },
  ExtendsCycle: {
    code: 2004,
    severity: "error",
    message: "model '{0}' extends itself: {1}",
    hint: "break the cycle; a model can only extend a model that does not extend it",
  },
  DuplicateModel: {
    code: 2005,
    severity: "error",
    message: "model '{0}' is defined more than once",
    hint: "rename one of them; model names are shared by a file and everything it imports",
  },

  // 2100–2199 — spec keys and value kinds (schema tables, src/ir/from-ast.ts)
  UnknownKey: {
    code: 2101,
    severity: "error",
    message: "unknown key '{0}' in {1}",
    hint: "{2}",
  },
  DuplicateKey: {
    code: 2102,
    severity: "error",
    message: "'{0}' is set twice in {1}",
    hint: "keep one of them; the later one would silently win",
  },
  WrongValueKind: {
    code: 2103,
    severity: "error",
    message: "'{0}' expects {1}, found {2}",
    hint: "for example: {3}",
  },
  UnknownEnumValue: {
    code: 2104,
    severity: "error",
    message: "'{1}' is not a valid value for '{0}'",
    hint: "{2}",
  },
  UnknownVariant: {
    code: 2105,
    severity: "error",
    message: "unknown {0} kind '{1}'",
    hint: "{2}",
  },
  KeyNotInVariant: {
    code: 2106,
    severity: "error",
    message: "'{0}' does not apply to `{1} {2}`",
    hint: "`{1} {2}` accepts: {3}",
  },
  MissingRequiredKey: {
    code: 2107,
    severity: "error",
    message: "model '{0}' does not set {1}",
    hint: "add `{2}` to the model or to a model it extends",
  },
  UnknownUnit: {
    code: 2108,
    severity: "error",
    message: "unknown duration unit '{0}'",
    hint: "write `epochs` or `steps`, e.g. `over 30 epochs`",
  },
  WrongListLength: {
    code: 2109,
    severity: "error",
    message: "'{0}' needs {1} values, found {2}",
    hint: "write exactly {1} values in the brackets",
  },
  SectionNeedsBlock: {
    code: 2110,
    severity: "error",
    message: "'{0}' is a section and takes a block",
    hint: "write `{0} { … }`",
  },
  KeyTakesNoBlock: {
    code: 2111,
    severity: "error",
    message: "'{0}' takes a value, not a block",
    hint: "write `{0} VALUE`",
  },
  UnknownScheduleShape: {
    code: 2112,
    severity: "error",
    message: "unknown schedule shape '{0}'",
    hint: "write linear, cosine or constant, e.g. `cosine 0.994 -> 1.0`",
  },

  // 2201–2249 — `--set key=value` on the command line (src/lang/set-override.ts); positions are in `<--set N>`
  SetNotKeyValue: {
    code: 2201,
    severity: "error",
    message: "--set '{0}' is not key=value",
    hint: "write a dotted key, '=' and a value as in a spec: --set heads.dino.l2norm=true, --set optim.lr=\"cosine 1e-3 -> 1e-6\"",
  },
  SetBadKey: {
    code: 2202,
    severity: "error",
    message: "'{0}' is not a key path: {1}",
    hint: "a key path is section and key names joined by dots, e.g. optim.lr or heads.ibot.prototypes",
  },
  SetMissingValue: {
    code: 2203,
    severity: "error",
    message: "--set {0}= has no value",
    hint: "write the value after '=' as in a spec: 0.1, true, 0.1 .. 0.5, [0.9, 0.999], cosine 1e-3 -> 1e-6",
  },
  SetTrailingText: {
    code: 2204,
    severity: "error",
    message: "'{0}' follows the value of {1}",
    hint: "give each key its own --set, and quote a value with spaces as one argument: --set '{1}=…'",
  },

  // 3xxx — model checks (src/ir/check)
  ValueOutOfRange: {
    code: 3001,
    severity: "error",
    message: "{0} is {1} but must be {2}",
    hint: "{3}",
  },
  EmptyRange: {
    code: 3002,
    severity: "error",
    message: "{0} is empty: {1} .. {2} has its bounds reversed",
    hint: "write the smaller bound first: `{2} .. {1}`",
  },
  DimNotDivisibleByHeads: {
    code: 3003,
    severity: "error",
    message: "backbone.dim {0} is not divisible by backbone.heads {1}",
    hint: "each head gets dim/heads channels; with dim {0} try heads {2}",
  },
  SizeNotMultipleOfPatch: {
    code: 3004,
    severity: "error",
    message: "{0} {1} px is not a multiple of backbone.patch {2}",
    hint: "the patch embedding needs whole patches (§1.2); use {3} or {4}",
  },
  NestedLevelsDoNotDivide: {
    code: 3005,
    severity: "error",
    message: "heads.{0}.nested {1} needs backbone.dim {2} to be divisible by {3}",
    hint: "Matryoshka widths are dim/2^k for k < nested; use nested ≤ {4}",
  },
  LevelWithoutPrototypes: {
    code: 3006,
    severity: "error",
    message: "heads.{0}: the level of width {1} gets {2} prototypes (K·{1}/{3})",
    hint: "raise heads.{0}.prototypes to at least {4} or lower nested",
  },
  ScheduleLength: {
    code: 3007,
    severity: "error",
    message: "{0}: {1} {2} is not a valid length",
    hint: "{3}",
  },
  WarmupTooLong: {
    code: 3008,
    severity: "error",
    message: "{0}: the warmup ({1} steps) is longer than the whole schedule ({2} steps)",
    hint: "shorten the warmup or lengthen the schedule (`over …`)",
  },
  ChannelsMismatch: {
    code: 3009,
    severity: "error",
    message: "input.{0} has {1} values but input.channels is {2}",
    hint: "give one value per channel",
  },
  IbotWithoutMasking: {
    code: 3010,
    severity: "error",
    message: "the iBOT loss is on (weight {0}) but masking is none",
    hint: "add `masking block { … }` or `masking cyclic { … }`, or set `losses { ibot { weight 0 } }`",
  },
  MaskingWithoutIbot: {
    code: 3011,
    severity: "warning",
    message: "masking {0} has no effect: the iBOT loss is off",
    hint: "remove the masking section or give the iBOT loss a weight",
  },
  OutputNeedsRegisters: {
    code: 3012,
    severity: "error",
    message: "export output 'registers' needs backbone.registers > 0",
    hint: "set backbone.registers or drop the output",
  },
  OutputNeedsRasa: {
    code: 3013,
    severity: "error",
    message: "export output 'patch_tokens_rasa' needs `post rasa`",
    hint: "add `post rasa { rounds 9 }` or drop the output",
  },
  ScheduleLongerThanTraining: {
    code: 3014,
    severity: "warning",
    message: "{0} runs for {1} steps but training has only {2}",
    hint: "the schedule will never reach its final value",
  },
  SharedHeadKeyIgnored: {
    code: 3015,
    severity: "warning",
    message: "heads.ibot.{0} is ignored: the iBOT head is not separate and reuses the DINO head",
    hint: "set `separate true` or remove the key",
  },
  NoMaskedImages: {
    code: 3016,
    severity: "warning",
    message: "masking.images {0} masks no image at batch {1} (int(2·{1}·{0}) = 0)",
    hint: "raise masking.images or the batch",
  },
  KoleoNeedsPairs: {
    code: 3017,
    severity: "error",
    message: "KoLeo needs at least 2 images per batch, train.batch is {0}",
    hint: "raise train.batch or set `losses { koleo { weight 0 } }`",
  },
  LocalCropLargerThanGlobal: {
    code: 3018,
    severity: "warning",
    message: "local crops ({0} px) are larger than global crops ({1} px)",
    hint: "local crops are the small views; swap the sizes?",
  },
  FreezeLongerThanTraining: {
    code: 3019,
    severity: "warning",
    message:
      "freeze_last_layer ({0} steps) is not shorter than training ({1} steps): the last layers never learn",
    hint: "lower freeze_last_layer",
  },
  NotNestedButMrlOptions: {
    code: 3020,
    severity: "warning",
    message: "heads.{0}.gelu_after_bottleneck without nested levels is not a published recipe",
    hint: "Franca's MRL heads use it with nested 5",
  },
  // 3021–3099 — limits that keep nonsense out: numbers, chain depth, run length (issue 15's band)
  NumberNotFinite: {
    code: 3021,
    severity: "error",
    message: "{0} is too large to be a number (it reads as infinity)",
    hint: "numbers must be finite: below about 1.8e308",
  },
  ExtendsTooDeep: {
    code: 3022,
    severity: "error",
    message: "model '{0}' is {1} models deep in its extends chain; the limit is {2}",
    hint: "a recipe extends a few models at most; is the chain generated by mistake?",
  },
  TrainingTooLong: {
    code: 3023,
    severity: "error",
    message: "training runs {0} steps (train.epochs {1} × train.epoch_length {2}), more than vfmc can count",
    hint: "lower train.epochs or train.epoch_length",
  },

  // 3101–3199 — loss terms and the objective (src/lower/objectives): MAE and term composition
  MaeWithOtherTerms: {
    code: 3101,
    severity: "error",
    message: "{0} cannot be combined with losses.mae: a masked autoencoder trains on its reconstruction loss alone",
    hint: "remove {0}, or remove losses.mae to train the DINO family's objective",
    explain:
      "Writing `losses { mae { … } }` makes the model a masked autoencoder (He et al. 2022): one view per image, the encoder on the visible patches only, no teacher. The DINO, iBOT and KoLeo terms need two global crops through a teacher and a student that sees every patch, so the two objectives cannot share a step.",
  },
  MaeNeedsRandomMasking: {
    code: 3102,
    severity: "error",
    message: "losses.mae needs `masking random`, the model has masking {0}",
    hint: "write `masking random { ratio 0.75 }` (MAE's default)",
  },
  MaeOneView: {
    code: 3103,
    severity: "error",
    message: "MAE trains on one view per image: crops.global.count is {0} and crops.local.count {1}",
    hint: "write `crops { global { count 1 } local { count 0 } }`",
  },
  MaeDropPath: {
    code: 3104,
    severity: "error",
    message: "MAE pre-training uses no stochastic depth, but backbone.drop_path is {0}",
    hint: "write `drop_path 0` in the backbone (models_mae.py builds its blocks without it)",
  },
  DecoderDimNotDivisibleByHeads: {
    code: 3105,
    severity: "error",
    message: "decoder.dim {0} is not divisible by decoder.heads {1}",
    hint: "pick heads that divide the decoder width (512 / 16 in every released MAE)",
  },
  SincosDimNotDivisibleBy4: {
    code: 3106,
    severity: "error",
    message: "{0} {1}: a 2-D sin-cos position table needs a width divisible by 4",
    hint: "half the width encodes the column, half the row, each as sines and cosines",
  },
  MaeNothingToReconstruct: {
    code: 3107,
    severity: "error",
    message: "masking.ratio {0} leaves {2} of {1} patches visible: the encoder needs at least one and the loss at least one removed",
    hint: "use a ratio that keeps between 1 and all but one patch (MAE: 0.75)",
  },
  RandomMaskingOneRatio: {
    code: 3108,
    severity: "error",
    message: "masking random takes one ratio, not the range {0} .. {1}",
    hint: "write `ratio {1}`: every image loses the same fraction of its patches",
  },
  DecoderUnused: {
    code: 3109,
    severity: "warning",
    message: "the decoder section has no effect: only `losses { mae }` uses a decoder",
    hint: "remove the decoder section, or add `losses { mae { … } }`",
  },
  TeacherUnused: {
    code: 3110,
    severity: "warning",
    message: "teacher.momentum has no effect: no loss term of this model learns from a teacher",
    hint: "remove the teacher section",
  },

  // 3701–3799 — training dynamics (src/ir/check/dynamics.ts): valid recipes that will not learn, from the first-step
  // estimates of src/ir/dynamics.ts
  LossStartsOnPlateau: {
    code: 3701,
    severity: "warning",
    message:
      "the {0} loss will start on its uniform value {1} ({2}): the {3} logits at init have std {4}, so student (÷ τs: {5}) and teacher (÷ τt: {6}) predict uniformly",
    hint: "give the logits a scale: `{0}.l2norm true` puts their std at 1/√bottleneck = {1}; under a small LayerScale every image also starts with the same CLS token (docs/small-scale.md)",
    explain:
      "Every Linear of a DINO head starts at trunc_normal(0.02), so without L2 normalisation the bottleneck shrinks by about 0.02·√fan_in per layer and the weight-normed last layer (gain 1) turns it into logits with std ‖z‖/√bottleneck. When that std divided by the temperatures is tiny, both softmaxes are uniform: the loss equals Σ log K, the targets carry no information and the gradient that would sharpen them vanishes — the plateau reported in dinov2#407 and dinov3#199.",
  },
  SinkhornPrototypesExceedSamples: {
    code: 3702,
    severity: "warning",
    message:
      "{0} targets: Sinkhorn–Knopp shares {1} prototypes among {2} samples ({3}), so each target covers at least K/n ≈ {4} prototypes",
    hint: "Sinkhorn gives every prototype the same mass over the batch; with far more prototypes than samples (K > n²) the targets stay nearly flat — lower the prototypes, raise the batch, or use `targets centering`",
  },
  HeadsCannotMove: {
    code: 3703,
    severity: "warning",
    message:
      "the learning rate sums to {0} over the run ({1}): AdamW moves a head weight by at most about that, less than the heads' init scale {2}",
    hint: "raise optim.lr, set `lr_scaling none` at this batch, or train longer",
  },
  WarmupTakesMostOfRun: {
    code: 3704,
    severity: "warning",
    message: "{0} takes {1} of the run's {2} steps ({3} %)",
    hint: "shorten it: most of the run would pass before the recipe is at full strength",
  },
  RegulariserOnlySignal: {
    code: 3705,
    severity: "warning",
    message: "{0} is the only loss with a gradient at step 0: {1}",
    hint: "a regulariser alone (KoLeo spreads the features apart) teaches nothing about the images; fix the plateau first (VFM3701)",
  },

  // 3710–3719 — the same, watched while a run trains (src/runtime/trainer/watch.ts)
  LossOnPlateau: {
    code: 3710,
    severity: "warning",
    message:
      "{0} has stayed within 1e-3 of its uniform value {2} (Σ log K: uniform predictions) for {1} steps, up to step {3}: the model is not learning it",
    hint: "`vfmc check` shows why (VFM3701); what usually lifts it: `heads.*.l2norm true`, a larger backbone.layerscale for a small model, a lower teacher_temp (docs/small-scale.md)",
  },
  FewPrototypesInUse: {
    code: 3711,
    severity: "warning",
    message:
      "{0}: the teacher uses {1} of {2} prototypes (< {3} %) at step {4}: its targets are collapsing onto a few",
    hint: "Sinkhorn targets (`targets sinkhorn`) spread them by construction; with centering raise teacher_temp or center_momentum's weight on the batch (a lower center_momentum)",
  },

  // 4001–4049 — backbone lowering, weights, inference graph, compile (src/lower: names, backbone, weights, infer)
  WeightsMissingTensor: {
    code: 4001,
    severity: "error",
    message: "{0}: no tensor '{1}' (the model expects shape [{2}])",
    hint: "the spec and the checkpoint describe different models: compare backbone depth, ffn, registers and layerscale with the checkpoint",
    explain:
      "Every parameter of the model must come from the weights file, under its DINOv2 state-dict name after the prefixes module., backbone. and teacher. are stripped and chunked blocks.{c}.{i} keys are flattened. A missing tensor usually means the spec declares a different architecture than the one the checkpoint was trained with.",
  },
  WeightsShapeMismatch: {
    code: 4002,
    severity: "error",
    message: "{0}: tensor '{1}' has shape [{2}] but the model expects [{3}]",
    hint: "check backbone dim, patch, mlp_ratio and ffn against the checkpoint",
  },
  WeightsBadDtype: {
    code: 4003,
    severity: "error",
    message: "{0}: tensor '{1}' has dtype {2}; weights must be F32, F16, BF16 or F64",
  },
  WeightsPosEmbedNotSquare: {
    code: 4004,
    severity: "error",
    message: "{0}: pos_embed has shape [{1}], whose {2} grid rows are not a square number",
    hint: "DINOv2 position embeddings hold 1 CLS row plus an M×M grid",
  },
  WeightsUnused: {
    code: 4005,
    severity: "warning",
    message: "{0}: {1} backbone tensors were not used, e.g. '{2}'",
    hint: "the checkpoint has parameters the spec does not declare (LayerScale? registers? qkv bias?)",
  },
  RasaBadShape: {
    code: 4006,
    severity: "error",
    message: "{0}: RASA tensor '{1}' has shape [{2}], expected [2, {3}]",
  },
  RasaWeightsMissing: {
    code: 4007,
    severity: "warning",
    message:
      "export.outputs asks for patch_tokens_rasa but no rasa_head.* weights were given; the output is left out",
    hint: "pass --weights with a checkpoint that holds rasa_head.pre_pos_layers.* and rasa_head.pos_pred.weight",
  },
  UnsupportedOpset: {
    code: 4008,
    severity: "error",
    message: "opset {0} is not supported; vfmc emits ai.onnx opsets {1} to {2}",
    hint: "onnxruntime-node 1.30 loads opsets 17 to 26",
  },
  ResolutionNotPatchMultiple: {
    code: 4009,
    severity: "error",
    message: "export resolution {0} is not a multiple of backbone.patch {1}",
    hint: "the patch embedding asserts H and W are multiples of the patch (reference §12.9); use {2}",
  },
  GraphNotAvailable: {
    code: 4010,
    severity: "error",
    message: "cannot emit the {0} graph: {1}",
  },
  PosGridFromCheckpoint: {
    code: 4011,
    severity: "info",
    message:
      "{0}: pos_embed holds a {1}×{1} grid; it replaces backbone.pos_grid {2} and is resampled in the graph",
    hint: "set pos_grid {1} in the spec to say so explicitly",
  },
  LoweringShapeError: {
    code: 4012,
    severity: "error",
    message: "cannot build the {0} graph of {1}: {2}",
    hint: "the values at this spot disagree about a tensor shape; this is a vfmc bug if `vfmc check` passes the spec — please report it with the spec",
    explain:
      "While lowering a model to a tensor graph, every operation checks the shapes and dtypes of its inputs. A mismatch means the model the spec describes cannot be built as written (for instance a checkpoint or an option combination the checker does not know about). The diagnostic points at the spec construct whose lowering built the failing operation; the message names the operation and both shapes.",
  },
  HrftPosEmbedResized: {
    code: 4013,
    severity: "info",
    message:
      "{0}: pos_embed {1}×{1} resized to {2}×{2} (antialiased bicubic) for training at {3} px; backbone from the checkpoint, heads start fresh",
  },
  HrftResolutionNotPatchMultiple: {
    code: 4014,
    severity: "error",
    message: "--resolution {0} is not a positive multiple of backbone.patch {1}",
    hint: "high-resolution adaptation trains global crops of that size; use {2}",
  },

  // 4050–4059 — post-training lowering: RASA fitting graph, Matryoshka truncation (src/lower/post)
  DimsNotALevel: {
    code: 4050,
    severity: "error",
    message: "--dims {0}: model {1} has no Matryoshka level of that width",
    hint: "the nested levels are {2}",
  },

  // 5xxx — CLI and files
  FileNotFound: {
    code: 5001,
    severity: "error",
    message: "cannot read {0}: {1}",
    hint: "check the path; paths are relative to the current directory",
  },
  UnknownModelOption: {
    code: 5002,
    severity: "error",
    message: "no model named '{0}' in {1}",
    hint: "models here: {2}",
  },
  NoModels: {
    code: 5003,
    severity: "error",
    message: "{0} defines no model",
    hint: "add `model NAME { … }` or import a spec that has one",
  },
  BadOption: {
    code: 5004,
    severity: "error",
    kind: "usage",
    message: "{0}",
    hint: "run `vfmc {1} --help` for the accepted options",
  },
  // 5005–5049 — files vfmc writes and reads (src/files), resources (memory), run length
  OutputWriteFailed: {
    code: 5005,
    severity: "error",
    message: "cannot write {0}: {1}",
    hint: "{2}; nothing was half-written (files are written to a temporary name, then renamed)",
  },
  OutputIsInput: {
    code: 5006,
    severity: "error",
    message: "{0} is also read by this command ({1}); writing it would destroy that input",
    hint: "choose another output path",
  },
  OutputNotAFile: {
    code: 5007,
    severity: "error",
    message: "{0} is {1}, not a file vfmc may replace",
    hint: "give the path of a file, e.g. {2}",
  },
  OutputFolderUnusable: {
    code: 5008,
    severity: "error",
    message: "cannot use {0} as the output folder: {1}",
    hint: "{2}",
  },
  FileSystemError: {
    code: 5009,
    severity: "error",
    message: "{0}: {1}",
    hint: "{2}",
  },
  InputNotAFile: {
    code: 5010,
    severity: "error",
    message: "{0} is not a regular file: {1}",
    hint: "give the path of a {2}",
  },
  MemoryEstimateTooLarge: {
    code: 5011,
    severity: "error",
    message: "{0} needs about {1} of memory, and this machine has {2}",
    hint: "{3}",
  },
  AllocationFailed: {
    code: 5012,
    severity: "error",
    message: "out of memory: {0}",
    hint: "the inputs or options ask for more memory than this machine can give (lower --batch, --bank or --images?)",
  },
  DiagnosticsCapped: {
    code: 5013,
    severity: "info",
    message: "… and {0} more diagnostics (the first {1} are shown; --json lists them all)",
    hint: "fix the first ones: later ones are often consequences of earlier ones",
  },
  RunHasNoSteps: {
    code: 5014,
    severity: "error",
    message: "{0} gives {1} training steps",
    hint: "{2}",
  },
  // 5100–5119 reserved for src/onnx (model files)
  ModelWriteFailed: {
    code: 5101,
    severity: "error",
    message: "cannot write model {0}: {1}",
    hint: "{2}; no model file was half-written, and earlier ones were left as they were",
  },
  ModelReadFailed: {
    code: 5102,
    severity: "error",
    message: "cannot read ONNX model {0}: {1}",
    hint: "the file must be an ONNX model written by vfmc or another ONNX tool, with its .data file beside it",
  },
  InternalCompilerError: {
    code: 5999,
    severity: "error",
    kind: "bug",
    message: "internal error (a vfmc bug): {0}",
    hint: "re-run with --trace for the stack, and report it",
  },

  // 6xxx — runtime: checkpoints (60xx) and datasets (61xx)
  CheckpointUnreadable: {
    code: 6001,
    severity: "error",
    message: "cannot read checkpoint {0}: {1}",
    hint: "check the path and the file's permissions",
  },
  CheckpointTruncated: {
    code: 6002,
    severity: "error",
    message: "checkpoint {0} is truncated: {1} bytes expected, {2} found",
    hint: "the file was cut short (an interrupted copy?); use an earlier checkpoint",
  },
  CheckpointBadHeader: {
    code: 6003,
    severity: "error",
    message: "{0} is not a valid safetensors file: {1}",
    hint: "vfmc checkpoints are safetensors files (8-byte header length, JSON header, tensor bytes)",
  },
  CheckpointUnknownDtype: {
    code: 6004,
    severity: "error",
    message: "tensor '{1}' in {0} has dtype {2}, which vfmc cannot read",
    hint: "supported dtypes: F64, F32, F16, BF16, I64, I32, U8, BOOL",
  },
  CheckpointMissingTensor: {
    code: 6005,
    severity: "error",
    message: "checkpoint {0} has no tensor named '{1}'",
    hint: "tensors there: {2}",
  },
  CheckpointWriteFailed: {
    code: 6006,
    severity: "error",
    message: "cannot write checkpoint {0}: {1}",
    hint: "{2}; the previous checkpoint was left as it was",
  },
  DataUnreadable: {
    code: 6101,
    severity: "error",
    message: "cannot read dataset file {0}: {1}",
    hint: "check the path given to --data",
  },
  DataBadFormat: {
    code: 6102,
    severity: "error",
    message: "{0} is not a valid IDX file: {1}",
    hint: "IDX files are the MNIST format: …-images-idx3-ubyte and …-labels-idx1-ubyte, optionally gzipped",
  },
  DataLabelsMissing: {
    code: 6103,
    severity: "error",
    message: "no labels for {0}: expected {1}",
    hint: "put the matching …-labels-idx1-ubyte[.gz] file next to the images file",
  },
  DataCountMismatch: {
    code: 6104,
    severity: "error",
    message: "{0} holds {1} images but {2} holds {3} labels",
  },
  DataSpecInvalid: {
    code: 6105,
    severity: "error",
    message: "cannot use --data '{0}': {1}",
    hint: "use a folder of images (DIR), list:FILE, shards:PATTERN, idx:PATH, synthetic or synthetic:SEED (docs/data.md)",
  },
  // 62xx — training runtime: devices, the NaN guard, training checkpoints, evaluation
  DeviceUnavailable: {
    code: 6201,
    severity: "error",
    message: "cannot use --device {0}: {1}",
    hint: "{2}",
  },
  TrainNonFinite: {
    code: 6202,
    severity: "error",
    message: "step {0}: {1} is {2}, training stopped",
    hint: "{3}; lower the learning rate, lengthen the warmup or tighten `clip`, or check the data",
  },
  CheckpointOtherRun: {
    code: 6203,
    severity: "error",
    message: "checkpoint {0} belongs to another run: {1}",
    hint: "use a fresh --out folder, or the spec and options that wrote it (--batch, --steps and --epochs change the run too)",
  },
  CheckpointShapeMismatch: {
    code: 6204,
    severity: "error",
    message: "checkpoint {0}: tensor '{1}' is {2}[{3}], this model needs {4}[{5}]",
    hint: "the checkpoint was written for a different model; nothing was overwritten",
  },
  CheckpointNotTraining: {
    code: 6205,
    severity: "error",
    message: "{0} is not a vfmc training checkpoint: {1}",
    hint: "--resume continues a checkpoint written by `vfmc run --train`; `vfmc compile --weights` loads other weights",
  },
  ResumeWithoutCheckpoint: {
    code: 6206,
    severity: "error",
    message: "--resume: no checkpoint in {0}",
    hint: "run without --resume to start from step 0, or point --out at the folder of the run to continue",
  },
  TrainInterrupted: {
    code: 6207,
    severity: "warning",
    message: "{0} at step {1}: checkpoint written to {2}",
    hint: "continue with the same command and --resume",
  },
  TrainInputUnsupported: {
    code: 6208,
    severity: "error",
    message: "the {0} graph takes input '{1}' (role {2}), which the trainer cannot feed",
    hint: "the graph and this vfmc disagree about the graph contract (docs/graph-contract.md); recompile with this vfmc",
  },
  EvalNoHeldOut: {
    code: 6209,
    severity: "error",
    message: "--data {0} has no held-out split to evaluate on",
    hint: "pass the queries with --eval-data",
  },
  TrainNothingToDo: {
    code: 6210,
    severity: "warning",
    message: "checkpoint {0} is at step {1} and the run has {2} steps: nothing to train",
    hint: "raise --steps or --epochs to train further",
  },
  RunFolderHasCheckpoint: {
    code: 6211,
    severity: "error",
    message: "{0} already holds a checkpoint (step {1} of {2})",
    hint: "pass --resume to continue it, --restart to train from step 0 and replace it, or choose another --out",
  },
  // 6300–6349 — post-training and evaluation tools: RASA fitting, pictures, reports, probes (src/runtime/{post,image,report})
  ImageUnreadable: {
    code: 6301,
    severity: "error",
    message: "cannot read image {0}: {1}",
    hint: "vfmc reads JPEG, PNG and WebP files, and <data>#INDEX for an image of a data source (synthetic#3)",
  },
  MetricsUnreadable: {
    code: 6302,
    severity: "error",
    message: "cannot make a report from {0}: {1}",
    hint: "point `vfmc report` at a `vfmc run --train` folder (it holds metrics.jsonl) or at the metrics.jsonl file",
  },
  LevelsNotNested: {
    code: 6303,
    severity: "error",
    message: "model {0} has no Matryoshka levels: {1}",
    hint: "nested levels come from `heads { dino { nested N } }`; without them there is only the full width {2}",
  },
  EvalTooFewImages: {
    code: 6304,
    severity: "error",
    message: "{0} needs at least {1} labelled images, got {2}",
    hint: "use a larger --data source or raise --bank / --queries",
  },
  // 6400–6499 — image data: folders, lists, shards, decoding and the skip policy (src/runtime/data, image/decode.ts)
  DataFolderEmpty: {
    code: 6401,
    severity: "error",
    message: "{0} holds no images{1}",
    hint: "vfmc reads .jpg/.jpeg/.png/.webp files, searched recursively; class sub-folders (DIR/CLASS/x.jpg) give labels",
  },
  DataImageSkipped: {
    code: 6402,
    severity: "warning",
    message: "skipped {0}: {1}",
    hint: "training goes on with another image in its place; skipped files are listed in {2}; --strict-data stops at the first one instead",
  },
  DataBadImage: {
    code: 6403,
    severity: "error",
    message: "cannot use image {0}: {1}",
    hint: "fix or remove the file and continue with --resume, or run without --strict-data to skip bad files with a warning",
  },
  DataNeedsLabels: {
    code: 6404,
    severity: "error",
    message: "{0} has no labels, and {1} needs labelled images",
    hint: "put the images in class sub-folders (DIR/CLASS/x.jpg), write path,label lines in a list: file, or add key.cls members to the shards",
  },
  DataOneClass: {
    code: 6405,
    severity: "error",
    message: "{0} has one class only ({1}), and {2} needs at least two",
    hint: "evaluation compares classes: give images of several classes (one sub-folder per class)",
  },
  DataListEntryMissing: {
    code: 6406,
    severity: "error",
    message: "'{0}' does not exist",
    hint: "paths in a list file are relative to the list file's folder, {1}",
  },
  DataListSyntax: {
    code: 6407,
    severity: "error",
    message: "{0}",
    hint: "a list file has one image per line: `path` or `path,label` (CSV or tab-separated; # starts a comment)",
  },
  DataListEmpty: {
    code: 6408,
    severity: "error",
    message: "{0} lists no images",
    hint: "write one image path per line, optionally followed by ,label",
  },
  DataShardsMissing: {
    code: 6409,
    severity: "error",
    message: "shards:{0}: {1}",
    hint: "give tar files with brace ranges, e.g. shards:data/train-{0000..0127}.tar (paths relative to the current folder)",
  },
  DataShardUnreadable: {
    code: 6410,
    severity: "error",
    message: "{0} is not a tar shard vfmc can read: {1}",
    hint: "shards are plain (uncompressed) tar files in the WebDataset layout: members key.jpg|png|webp and key.cls",
  },
  DataShardsNoImages: {
    code: 6411,
    severity: "error",
    message: "shards:{0} hold no images",
    hint: "each sample needs a member key.jpg, key.jpeg, key.png or key.webp (WebDataset layout)",
  },
  DataSplitClasses: {
    code: 6412,
    severity: "error",
    message: "{0} has classes that {1} does not: {2}",
    hint: "the held-out split must use the training split's class names (sub-folder names)",
  },
  DataTooManyBad: {
    code: 6413,
    severity: "error",
    message: "{0} images in a row could not be used; the last was {1}: {2}",
    hint: "the dataset looks broken or unreadable: check the files and their permissions",
  },
  KnnSkipped: {
    code: 6414,
    severity: "warning",
    message: "no k-NN evaluation: {0}",
    hint: "{1}",
  },
  EvalQueriesAreBank: {
    code: 6415,
    severity: "warning",
    message: "the queries are the memory bank ({0}): every query finds itself",
    hint: "give held-out images with --eval-data, or use a folder with train/ and val/ sub-folders as --data",
  },
  DataChanged: {
    code: 6416,
    severity: "error",
    message: "{0} changed after the run started: {1}",
    hint: "do not add or remove images while a run reads them; restart the run (or --resume it) once the data is settled",
  },
  EvalImageSkipped: {
    code: 6418,
    severity: "warning",
    message: "left out {0}: {1}",
    hint: "the evaluation goes on without this image",
  },
  DataLooseImages: {
    code: 6419,
    severity: "warning",
    message: "{0}: {1} image(s) at its top level belong to no class folder and are not read",
    hint: "move them into a class sub-folder (as torchvision's ImageFolder, vfmc reads only images inside class folders)",
  },
  ContinueFromWeights: {
    code: 6417,
    severity: "info",
    message: "{0}: student and teacher start from its backbone{1}; {2}",
  },
  // 6501–6599 — robustness of the runtime: non-finite features, empty datasets, signals
  EvalNonFinite: {
    code: 6501,
    severity: "error",
    message: "{0}: feature {1} of image {2} is {3}; no score is computed from non-finite features",
    hint: "the weights produce NaN or infinite features ({4}); check them with `vfmc info --weights`, or use an earlier checkpoint",
  },
  DataNoImages: {
    code: 6502,
    severity: "error",
    message: "{0} holds no {1}",
    hint: "give a dataset with at least one image (an IDX file's first dimension is its count)",
  },
  DataEmptyImages: {
    code: 6503,
    severity: "error",
    message: "{0}: its images are {1} pixels",
    hint: "an image needs at least one row and one column",
  },
  RasaWeightsRequired: {
    code: 6504,
    severity: "error",
    message: "--rasa needs RASA weights, and {0} holds no rasa_head.* tensors",
    hint: "fit them with `vfmc rasa SPEC --weights CKPT -o rasa.safetensors`, then pass --weights CKPT --weights rasa.safetensors",
  },
  TrainStopping: {
    code: 6505,
    severity: "info",
    message: "{0}: stopping after the current call and writing a checkpoint (send it again to stop at once)",
  },
  StoppedBeforeTraining: {
    code: 6506,
    severity: "warning",
    message: "{0} before the first training step: stopped at once; nothing was trained, so nothing was saved",
    hint: "{1} holds what it held before (and the compiled graphs)",
  },
  StoppedAtOnce: {
    code: 6507,
    severity: "warning",
    message: "{0} again: stopped at once; {1}",
    hint: "{2}",
  },
  // 6600–6699 — accelerators: whether a provider can run a graph, found before training (src/runtime/device-*.ts)
  DeviceNodeFailed: {
    code: 6601,
    severity: "error",
    message: "the {0} provider cannot run node '{1}' ({2}) of {3}, built for {4}: {5}",
    hint: "nothing was trained or written; `vfmc doctor --device {0}` shows what the provider lacks, and --device cpu runs this graph",
    explain:
      "Before training on an accelerator, vfmc runs the training graph once, with zero inputs, in a separate process. " +
      "The provider failed on one node; its position is the spec construct the node was built for. The provider " +
      "(onnxruntime's WebGPU or CUDA execution provider) has no working kernel for this node's operator, attributes " +
      "or shapes: the CPU provider runs the same graph.",
  },
  DeviceGraphFailed: {
    code: 6602,
    severity: "error",
    message: "the {0} provider cannot run {1}: {2}",
    hint: "nothing was trained or written; `vfmc doctor --device {0}` shows what the provider lacks, and --device cpu runs this graph",
  },
  DeviceGraphAborted: {
    code: 6603,
    severity: "error",
    message: "the {0} provider aborted the process running {1} ({2}){3}",
    hint: "nothing was trained or written (the check runs in a separate process); `vfmc doctor --device {0} --graph {1}` repeats it with onnxruntime's log, and --device cpu runs this graph",
    explain:
      "A native error inside onnxruntime or its provider ended the check process without an error message a program " +
      "could catch (for example `terminate called after throwing an instance of …`). Had it happened in the trainer, " +
      "the run would have died the same way; the check found it before the first step. The last kernel the WebGPU " +
      "provider started, when its log shows one, is the operator it died in.",
  },
} as const satisfies Record<string, Entry>;

export type DiagKey = keyof typeof Diag;
