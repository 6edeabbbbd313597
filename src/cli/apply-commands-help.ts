// The names and the --help lines of the GitOps commands, apart from their code (apply-commands.ts), so
// that main.ts lists them without loading plan/apply for other commands.
export const APPLY_COMMANDS: ReadonlySet<string> = new Set(['plan', 'apply', 'destroy', 'confirm']);

export const APPLY_HELP = `  netform plan FILE [--host NAME] [--json] [--detailed-exitcode] [-o PLANFILE]
                                            compare the live host with FILE's build; change nothing
  netform apply FILE|PLANFILE [--host NAME] [--only firewall|network|files] [--try S --probe CMD]
                                            converge the host to the build, rolling back on any failure
  netform destroy [--host NAME]             remove what netform applied, and nothing else
  netform confirm [--host NAME]             keep the changes of a running apply --try
`;
