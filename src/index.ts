// netform as a library: the typed pipeline the command line uses, for code that calls netform in-process
// (configuration management, CI tools). Everything here is pure: the caller reads the input files and
// writes the outputs. See docs/library.md for a runnable example.
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
