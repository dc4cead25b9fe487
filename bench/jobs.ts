// What the harness asks a child process to measure, and what the child hands back. Every measurement runs in a
// process of its own (ORT children: bench/ort-worker.ts and bench/compile-worker.ts; PyTorch children:
// bench/torch_peer.py) so allocators, thread pools and caches of one never disturb another. A child reads its job
// as JSON from argv[2] (argv[1] for Python) and writes its result as JSON to `job.result`.

export type Device = "cpu" | "cuda" | "webgpu";

/** Reference config for bench/torch_peer.py, derived from the checked model IR (see recipe.ts). */
export interface TorchRecipe {
  readonly vit: {
    patch: number;
    dim: number;
    depth: number;
    heads: number;
    mlp_ratio: number;
    ffn: string;
    ffn_hidden: number;
    qkv_bias: boolean;
    registers: number;
    layerscale: number;
    pos_grid: number;
    interpolate: string;
    interpolate_offset: number;
  };
  readonly dino_head: TorchHead;
  /** null: iBOT shares the DINO head */
  readonly ibot_head: TorchHead | null;
  readonly loss: {
    targets: string;
    sinkhorn_iterations: number;
    student_temp: number;
    dino_weight: number;
    ibot_weight: number;
    koleo_weight: number;
    center_momentum: number;
  };
  readonly optim: {
    betas: readonly number[];
    eps: number;
    layer_decay: number;
    patch_embed_lr: number;
    clip: number;
  };
  readonly schedules: {
    lr: number;
    last_layer_lr: number;
    wd: number;
    momentum: number;
    teacher_temp: number;
  };
  readonly batch: number;
  readonly n_local: number;
  readonly global_size: number;
  readonly local_size: number;
  readonly masking: { kind: string; ratio: readonly number[]; images: number };
  /** vfmc's compile-time size of the masked-token buffers; the peer checks its own collate agrees */
  readonly upperbound: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly export_resolution: number;
}

export interface TorchHead {
  layers: number;
  hidden: number;
  bottleneck: number;
  prototypes: number;
  l2norm: boolean;
  nested: number;
  gelu_after_bottleneck: boolean;
}

interface Timed {
  readonly device: Device;
  readonly threads: number;
  /** false: thread pools sleep while idle (onnxruntime allow_spinning 0; PyTorch gets OMP_WAIT_POLICY=PASSIVE) */
  readonly spin: boolean;
  readonly warmup: number;
  readonly iters: number;
  readonly result: string;
}

export type OrtJob =
  | (Timed & {
      readonly kind: "ort-train";
      /** folder holding <model>.manifest.json and <model>.train.onnx */
      readonly dir: string;
      readonly model: string;
      /** write an onnxruntime profile (Chrome trace) into this folder and summarise it */
      readonly profileDir?: string;
      /** steps per onnxruntime call of <model>.steps.onnx (as `vfmc run` drives it); 0 = <model>.train.onnx, one per call */
      readonly stepsPerCall: number;
    })
  | (Timed & {
      readonly kind: "ort-infer";
      readonly onnx: string;
      readonly input: string;
      /** [N, C, R, R] */
      readonly shape: readonly number[];
      /**
       * a second graph timed in the same process, its runs alternating with the first's, so that both see the
       * same machine (its samples come back as `extra.against`)
       */
      readonly against?: { readonly onnx: string; readonly input: string };
    })
  | (Timed & { readonly kind: "ort-matmul"; readonly sizes: readonly number[]; readonly loop: number });

export interface CompileJob {
  readonly kind: "compile";
  readonly spec: string;
  readonly model: string;
  readonly out: string;
  readonly result: string;
  /** keep the written files (the recipes' graphs are measured afterwards); otherwise they are deleted */
  readonly keep: boolean;
  /** graphs to write (`vfmc compile --emit`); default the command's */
  readonly emit?: string;
}

/** PyTorch mixed precision: the forward (and the losses) under torch.autocast in bfloat16; weights and AdamW stay fp32 */
export type Autocast = "bf16";

export type TorchJob =
  | (Timed & { readonly kind: "torch-train"; readonly recipe: TorchRecipe; readonly autocast?: Autocast })
  | (Timed & {
      readonly kind: "torch-infer";
      readonly recipe: TorchRecipe;
      readonly batch: number;
      readonly autocast?: Autocast;
    })
  | (Timed & { readonly kind: "torch-matmul"; readonly sizes: readonly number[]; readonly loop: number })
  | {
      readonly kind: "torch-export";
      readonly recipe: TorchRecipe;
      readonly batch: number;
      readonly out: string;
      readonly opset: number;
      readonly threads: number;
      readonly device: "cpu";
      readonly result: string;
    };

/** The data bench (bench/data-worker.ts, bench/data_peer.py): a multi-crop pipeline over a folder of photos. */
interface DataTimed {
  readonly warmup: number;
  readonly iters: number;
  readonly result: string;
}
export type DataJob =
  | (DataTimed & {
      readonly kind: "data-vfmc";
      /** the spec and model whose crops, augmentations and masks are timed */
      readonly spec: string;
      readonly model: string;
      readonly root: string;
      readonly batch: number;
      readonly workers: number;
    })
  | (DataTimed & {
      readonly kind: "data-torch";
      readonly root: string;
      readonly batch: number;
      readonly workers: number;
      /** vfmc's MultiCropOptions of the same model, for DINOv2's augmentation in torchvision */
      readonly crops: unknown;
      readonly masking?: unknown;
    })
  | (DataTimed & { readonly kind: "decode-vfmc" | "decode-torch"; readonly photo: string });

export type Job = OrtJob | CompileJob | TorchJob | DataJob;

export interface MemoryResult {
  /** resident set size right before the first step (model, state and runtime loaded) */
  readonly baselineRss?: number;
  /** VmHWM after the first step, with the high-water mark reset just before it (Linux clear_refs) */
  readonly peakRss?: number;
  /** false when the high-water mark could not be reset: peakRss then covers the whole process life */
  readonly peakResettable?: boolean;
  /** CUDA: torch.cuda.max_memory_allocated() over the first step */
  readonly peakDevice?: number;
}

export interface ChildResult {
  /** seconds per timed iteration */
  readonly samples: readonly number[];
  /** images processed per iteration (0 for probes) */
  readonly itemsPerIter: number;
  readonly memory?: MemoryResult;
  readonly extra?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

/** One matmul size of a peak probe: seconds per iteration and the FLOPs one iteration does. */
export interface MatmulSize {
  readonly samples: readonly number[];
  readonly flopsPerIter: number;
}

/** A job before the harness has given it a result file. */
export type JobRequest = Job extends unknown ? DistributiveOmit<Job, "result"> : never;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
