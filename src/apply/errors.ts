// The errors plan and apply report to the user (bad environment, objects in the way, a host that
// cannot be read): the command line prints their message and exits 1. Anything else is a bug.
export class ApplyError extends Error {}
