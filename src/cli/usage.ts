// A usage error: the command line itself is wrong (exit code 2). Shared by the commands (context.ts).
export { UsageError } from './context.ts';
