// netform as a library: the typed pipeline the command line uses, for code that calls netform in-process
// (configuration management, CI tools). The compiler is pure: the caller reads the input files and
// writes the outputs. plan/apply/destroy (src/apply) are the exception by design: they read and change
// a live host, through a System (nodeSystem() for the real one). See docs/library.md.
export { compile, outputFiles, diagnosticSources } from './compile.ts';
export type { CompileOptions, CompileResult, DaemonFileReader, SourceFile } from './compile.ts';
export type { LockOptions, LockResult } from './compile-lock.ts';
export type { LockChange } from './lock/index.ts';
export type { Diagnostic, DiagnosticCode, Severity, YamlPath } from './diagnostics/diagnostic.ts';
export { diagnosticsToJson, formatDiagnostics } from './diagnostics/format.ts';
export type { JsonDiagnostic } from './diagnostics/format.ts';
export type { FileContent } from './render/renderer.ts';
export type { Topology } from './topology/types.ts';
export type { FirewallRules } from './firewall/index.ts';
export type { Model } from './model/types.ts';
export { VERSION } from './version.ts';
export { apply, ApplyError, confirm, desiredFromBuild, nodeSystem, plan, planJson, planText, targetFromEnv, TargetError } from './apply/index.ts';
export type {
  Applied,
  ApplyOptions,
  ApplyOutcome,
  Change,
  Desired,
  HostOptions,
  Part,
  Plan,
  PlanOptions,
  PlanOutcome,
  PlanSummary,
  Ran,
  RunOptions,
  System,
  Target,
  TryOptions,
} from './apply/index.ts';
