// The one door between plan/apply and the machine: every process apply starts, and every file it reads
// or writes under /etc/netns, /run/netns and the state directory, goes through a System. The planner
// never sees one (it works on data read through it), so it stays pure and testable; tests can wrap a
// System to make a step fail the way the kernel would.

/** The outcome of one program run. */
export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Standard input. */
  readonly input?: string;
  /**
   * Where the program runs: 'host' is the host namespace (NETFORM_HOST_NETNS, or the current one when it
   * is unset); 'current' is the namespace and mount namespace of this process, where `ip netns add`
   * must run so that other processes see the namespaces it makes.
   */
  readonly where: 'host' | 'current';
}

export interface System {
  /** Runs a program to completion; never throws on a non-zero exit. `argv[0]` is a bare program name. */
  run(argv: readonly string[], options: RunOptions): Ran;
  /** Runs several programs at once (each as run()), at most `parallel` together; results in input order. */
  runAll(jobs: readonly { readonly argv: readonly string[]; readonly options: RunOptions }[], parallel: number): Promise<Ran[]>;
  /** Named network namespaces (the entries of /run/netns). */
  listNetns(): string[];
  /** A file's text, or undefined when it does not exist. */
  readFile(file: string): string | undefined;
  /** Writes a file atomically (a temporary file beside it, renamed over it), making its directory. */
  writeFileAtomic(file: string, text: string, mode?: number): void;
  /** Removes a file; false when it was not there. */
  removeFile(file: string): boolean;
  /** Makes a directory (not its parents); false when it already existed. */
  makeDir(dir: string): boolean;
  /** Removes an empty directory; false when it is missing or not empty. */
  removeDir(dir: string): boolean;
  /** Makes a directory and its parents. */
  makeDirs(dir: string): void;
  /** The entries of a directory, or undefined when it does not exist. */
  listDir(dir: string): string[] | undefined;
  /**
   * Takes the exclusive lock file `file` (creating it), waiting while another live process holds it.
   * `onWait` is called once when it has to wait. Returns the function that releases it.
   */
  lock(file: string, onWait: (holder: string) => void): Promise<() => void>;
  /** Process id of this process (written into the lock and the journal). */
  readonly pid: number;
  /** Milliseconds since the epoch, and a sleep (the try window polls). */
  now(): number;
  sleep(ms: number): Promise<void>;
}
