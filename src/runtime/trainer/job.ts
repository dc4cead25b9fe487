// What a training run is told (TrainJob, plain data so it can be posted to a worker thread) and what it reports
// (TrainEvent while running, TrainSummary at the end).
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ModelIR } from "../../ir/model.js";
import type { Manifest } from "../../lower/manifest.js";
import type { RunIdentity } from "../checkpoint/checkpoint.js";
import type { DataSpec } from "../data/source.js";
import type { KnnReport, KnnRunOptions } from "../eval/run-knn.js";
import type { Device } from "../session.js";

export interface TrainJob {
  /** the effective model (overrides applied); the manifest and the train graph were compiled from it */
  readonly ir: ModelIR;
  readonly manifest: Manifest;
  /** path of the compiled training-step graph */
  readonly trainModel: string;
  /** the steps graph (several steps per call, lower/train-steps.ts); used instead of trainModel except on WebGPU */
  readonly stepsModel?: string;
  /** steps per call of the steps graph; undefined = auto (about 15 s per call) */
  readonly stepsPerCall?: number;
  readonly outDir: string;
  readonly identity: RunIdentity;
  /**
   * What run.json says about the run (spec, model, data, steps, --init…). Written with the metrics: at the start of
   * a run in a fresh folder or a resumed one; when a run replaces another (--restart), at its first checkpoint,
   * so a run that fails before it leaves the folder describing the old run, whose checkpoint is still there.
   */
  readonly record: Readonly<Record<string, unknown>>;
  readonly data: DataSpec;
  /** kNN queries; default the held-out split of `data` */
  readonly evalData?: DataSpec;
  /** stop at the first image that cannot be used (`--strict-data`) instead of skipping it with a warning */
  readonly strictData?: boolean;
  readonly device: Device;
  /** onnxruntime intra-op threads; 0 = all cores */
  readonly threads: number;
  /**
   * onnxruntime's graph optimisation level (default "all"). Other levels fuse fewer kernels and so round
   * differently: the golden-curve tests measure how far rounding alone moves a curve by training under several.
   */
  readonly optimization?: "disabled" | "basic" | "extended" | "all";
  /** data worker threads (undefined: the pool's default; 0: produce batches in the training thread) */
  readonly dataWorkers?: number;
  /** continue from the checkpoint in outDir */
  readonly resume: boolean;
  /**
   * start from this checkpoint's backbone instead of the seeded init, heads fresh, pos_embed resized to `ir`'s grid
   * (`--init`, high-resolution adaptation: lower/hrft.ts). A path, not the values: the job is posted to a worker.
   */
  readonly init?: string;
  /**
   * start from this checkpoint (`--weights`, continued pretraining): student and teacher from its backbone, heads
   * from it where it holds them with the model's shapes, the others fresh. Exclusive with `init`.
   */
  readonly weights?: string;
  /** write a checkpoint every this many steps (and always at the end); 0 = only at the end */
  readonly checkpointEvery: number;
  /** kNN evaluation every this many steps; 0 = only at the end */
  readonly evalEvery: number;
  /** kNN at the start (random init, or the --init weights) and at the end; off = no evaluation at all */
  readonly knn: (KnnRunOptions & { readonly enabled: true }) | { readonly enabled: false };
}

export interface KnnPoint {
  /**
   * before training ("random-init", or "initial" when the run starts from --init or --weights), the steps taken, or
   * "raw-pixels": the pixels themselves as features, the baseline to beat
   */
  readonly at: "random-init" | "initial" | "raw-pixels" | number;
  readonly report: KnnReport;
}

export type TrainEvent =
  | {
      readonly type: "start";
      readonly startStep: number;
      readonly totalSteps: number;
      readonly batch: number;
      readonly device: string;
      readonly dataMode: string;
      readonly dataWorkers: number;
    }
  | {
      readonly type: "step";
      /** steps taken after this one (1-based) */
      readonly step: number;
      readonly totalSteps: number;
      readonly metrics: Readonly<Record<string, number>>;
      readonly schedules: Readonly<Record<string, number>>;
      readonly stepMs: number;
      readonly dataMs: number;
      /** images per second over the steps of this run so far */
      readonly imgPerSec: number;
      /** images the run could not use so far (each replaced by another) */
      readonly skippedFiles?: number;
    }
  | {
      /** an image that could not be used, met for the first time */
      readonly type: "skipped";
      readonly source: string;
      readonly reason: string;
      /** distinct files skipped so far */
      readonly total: number;
      /** the run folder's list of them */
      readonly list: string;
    }
  | { readonly type: "checkpoint"; readonly step: number; readonly path: string }
  | { readonly type: "eval"; readonly point: KnnPoint }
  | { readonly type: "note"; readonly text: string };

export interface TrainSummary {
  readonly model: string;
  readonly startStep: number;
  readonly endStep: number;
  readonly totalSteps: number;
  /** steps run by this invocation */
  readonly steps: number;
  readonly batch: number;
  readonly wallSeconds: number;
  /** seconds inside the step loop (excludes compiling, session creation and evaluation) */
  readonly loopSeconds: number;
  readonly imgPerSec: number;
  /** share of loop time spent waiting for the next batch */
  readonly dataWaitShare: number;
  readonly finalMetrics: Readonly<Record<string, number>>;
  /** the metrics of the first step this invocation ran (empty when it ran none) */
  readonly firstMetrics: Readonly<Record<string, number>>;
  /** what the run warned about while it trained (watch.ts), in the order raised */
  readonly warnings: readonly Diagnostic[];
  readonly knn: readonly KnnPoint[];
  /** distinct images the run could not use (listed in the run folder's skipped-files.txt) */
  readonly skippedFiles: number;
  readonly checkpoint?: string;
  /** the signal that stopped the run early */
  readonly stoppedBy?: string;
  readonly device: string;
  readonly threads: number;
}
