// ResolvConf.Generate (Docker 29, internal/resolvconf/resolvconf.go): the file's text.
//
//   <header>\n\n              (comments only, when a header was set)
//   nameserver <addr>         (one line each)
//   search a b c              (when any)
//   options o1 o2             (when any)
//   <unrecognised lines>
//   \n# Based on host file: '<path>'[ (<transform>)]
//   # <each warning>
//   # ExtServers: [host(10.0.0.1) 1.2.3.4]       (when any)
//   # Invalid nameservers: [...]                  (when any)
//   # Overrides: [nameservers search options]     (always, possibly empty)
//   # Option ndots from: host|override|internal   (when known)
import { addrString } from '../../net/index.ts';
import { type ResolvConf, extDNSEntryString } from './types.ts';

export function generate(rc: ResolvConf, comments: boolean): string {
  const { md } = rc;
  let b = '';
  if (comments && md.header !== '') b += `${md.header}\n\n`;
  for (const ns of rc.nameServers) b += `nameserver ${addrString(ns)}\n`;
  if (rc.search.length > 0) b += `search ${rc.search.join(' ')}\n`;
  if (rc.options.length > 0) b += `options ${rc.options.join(' ')}\n`;
  for (const o of rc.other) b += `${o}\n`;

  if (comments) {
    b += `\n# Based on host file: '${md.sourcePath}'`;
    if (md.transform !== '') b += ` (${md.transform})`;
    b += '\n';
    for (const w of md.warnings) b += `# ${w}\n`;
    if (md.extNameServers.length > 0) b += `# ExtServers: [${md.extNameServers.map(extDNSEntryString).join(' ')}]\n`;
    if (md.invalidNSs.length > 0) b += `# Invalid nameservers: [${md.invalidNSs.join(' ')}]\n`;
    const overrides = [
      ...(md.nsOverride ? ['nameservers'] : []),
      ...(md.searchOverride ? ['search'] : []),
      ...(md.optionsOverride ? ['options'] : []),
    ];
    b += `# Overrides: [${overrides.join(' ')}]\n`;
    if (md.ndotsFrom !== '') b += `# Option ndots from: ${md.ndotsFrom}\n`;
  }
  return b;
}
