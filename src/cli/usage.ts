// A usage error: the command line itself is wrong (exit code 2). Shared by the commands.
export class UsageError extends Error {}
