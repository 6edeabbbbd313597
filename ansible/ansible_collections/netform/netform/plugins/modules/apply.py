#!/usr/bin/python
# -*- coding: utf-8 -*-
# netform.netform.apply, run on the managed host: `netform apply` of the host's part of a netform file
# (`netform plan` in check mode, `netform destroy` for state=absent). netform does the work (it reads
# the live kernel, owns only its own part, rolls back on failure); this module turns its exit codes
# into changed/failed and its plan text into Ansible's diff.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: apply
short_description: Converge a host to a netform file with netform plan, apply and destroy
description:
  - Runs C(netform apply) for this host's part of a netform file, which converges the host and prints
    its plan; C(changed) says whether that plan was empty. netform rolls every step back when one
    fails; the task then fails with netform's message.
  - In check mode only the plan runs, and C(changed) says whether it is empty. With C(--diff) the plan's
    text (Terraform style, one line per object) is shown.
  - With I(state=absent), C(netform destroy) removes what netform applied to this host, and nothing else.
  - Runs on the managed host, which needs Node.js 20 or later and netform; the single file
    C(dist/netform.cjs) of a netform build is enough (I(executable)). The module says which is missing.
  - The host is the default inventory name (an action plugin of this collection fills it in).
version_added: 0.1.0
author: netform contributors
requirements:
  - node >= 20 on the managed host
  - netform (the command, or its single bundled file dist/netform.cjs)
options:
  src:
    description: The netform file, on the managed host. Required with I(state=present).
    type: path
  host:
    description: The host of the file this machine is; default the inventory name.
    type: str
  state:
    description: C(present) applies the file's build for I(host); C(absent) destroys what netform applied.
    type: str
    choices: [present, absent]
    default: present
  state_dir:
    description: netform's state directory for this host (netform's default is /var/lib/netform/HOST).
    type: path
  host_netns:
    description: Passed as NETFORM_HOST_NETNS, the named network namespace that stands for the host.
    type: str
  netns_prefix:
    description: Passed as NETFORM_NETNS_PREFIX, the prefix of every namespace netform makes.
    type: str
  executable:
    description:
      - The netform command, by name on PATH or by path; a path ending in .cjs, .mjs or .js is run with
        the node found on PATH.
    type: str
    default: netform
attributes:
  check_mode: {support: full}
  diff_mode: {support: full}
'''

EXAMPLES = r'''
- name: Copy the fleet's netform file
  ansible.builtin.copy: {src: fleet.yaml, dest: /etc/netform/fleet.yaml, mode: '0644'}
- name: Apply this host's part of it
  netform.netform.apply: {src: /etc/netform/fleet.yaml, executable: /usr/local/lib/netform.cjs}
'''

RETURN = r'''
plan:
  description: The plan's text, as C(netform plan) prints it.
  type: str
  returned: state=present
summary:
  description: The plan's counts (add, change, destroy).
  type: dict
  returned: state=present
'''

import os
import re

from ansible.module_utils.basic import AnsibleModule

# package.json "engines": netform runs on Node.js 20 or later.
MIN_NODE = 20
# netform's state root when --state-dir is not given (src/apply: DEFAULT_STATE_ROOT).
STATE_ROOT = '/var/lib/netform'
SCRIPT_SUFFIXES = ('.cjs', '.mjs', '.js')
HOST_PROGRAMS = ('ip', 'flock')
INSTALL = ('the smallest install is Node.js >= %d and the one file dist/netform.cjs of a netform build '
           '(npm run build), e.g. at /usr/local/lib/netform.cjs with executable: /usr/local/lib/netform.cjs' % MIN_NODE)


def shebang_node(path):
    """The node a script's first line asks for ('node' for `#!/usr/bin/env node`), or None."""
    try:
        with open(path, 'rb') as f:
            first = f.readline(256).decode('utf-8', 'replace').strip()
    except (IOError, OSError):
        return None
    if not first.startswith('#!'):
        return None
    words = [w for w in first[2:].split() if not w.startswith('-')]
    words = words[1:] if words and os.path.basename(words[0]) == 'env' else words
    return words[0] if words and os.path.basename(words[0]).startswith('node') else None


def find_node(module, wanted, netform):
    node = wanted if '/' in wanted else module.get_bin_path(wanted)
    if not node or not os.access(node, os.X_OK):
        module.fail_json(msg='node is not installed on this host (%s is a Node.js program); %s' % (netform, INSTALL))
    rc, out, err = module.run_command([node, '--version'])
    m = re.match(r'v(\d+)\.', out.strip())
    if rc != 0 or not m:
        module.fail_json(msg='%s --version failed: %s' % (node, (err or out).strip()))
    if int(m.group(1)) < MIN_NODE:
        module.fail_json(msg='netform needs Node.js >= %d; this host has %s (%s)' % (MIN_NODE, out.strip(), node))
    return node


def netform_command(module):
    """The argv that runs netform here, after checking netform and node are there."""
    exe = module.params['executable']
    path = exe if '/' in exe else module.get_bin_path(exe)
    if not path or not os.path.isfile(path):
        module.fail_json(msg='netform is not installed on this host (no %s%s); %s' % (exe, '' if '/' in exe else ' on PATH', INSTALL))
    real = os.path.realpath(path)
    if real.endswith(SCRIPT_SUFFIXES):
        return [find_node(module, 'node', path), path]
    wanted = shebang_node(real)
    if wanted:
        find_node(module, wanted, path)
    elif not os.access(path, os.X_OK):
        module.fail_json(msg='%s is not executable' % path)
    return [path]


def netform_message(out, err):
    """netform's own lines (`netform: ...` with the indented lines under it, `file:line:col: error: ...`),
    without the warnings and source excerpts around them; else all it printed."""
    mine = []
    keep = False
    for line in err.splitlines():
        if re.match(r'^netform( [a-z]+)?: ', line) or re.match(r'^\S.*:\d+:\d+: error: ', line):
            keep = True
        elif not (keep and line.startswith('  ') and not re.match(r'^\s+\d* *\|', line)):
            keep = False
        if keep:
            mine.append(line)
    return '\n'.join(mine) or err.strip() or out.strip()


def warn_diagnostics(module, err):
    seen = set()
    for line in err.splitlines():
        if re.match(r'^\S.*:\d+:\d+: warning: ', line) and line not in seen:
            seen.add(line)
            module.warn(line)


def check_programs(module):
    """Programs netform plan/apply start whatever the build (src/apply: ip for links and namespaces,
    flock for the host's lock); netform itself names the firewall's tools when they are missing."""
    missing = [p for p in HOST_PROGRAMS if not module.get_bin_path(p)]
    if missing:
        module.fail_json(msg='this host lacks %s, which netform apply runs (Debian: apt-get install iproute2 util-linux)' % ', '.join(missing))


class Netform(object):
    def __init__(self, module):
        self.module = module
        self.argv = netform_command(module)
        check_programs(module)
        env = {}
        if module.params['host_netns'] is not None:
            env['NETFORM_HOST_NETNS'] = module.params['host_netns']
        if module.params['netns_prefix'] is not None:
            env['NETFORM_NETNS_PREFIX'] = module.params['netns_prefix']
        self.env = env
        self.result = dict(changed=False)

    def run(self, args):
        return self.module.run_command(self.argv + args, environ_update=self.env)

    def fail(self, verb, rc, out, err, **extra):
        self.result.update(extra)
        self.module.fail_json(msg='netform %s failed (exit %d): %s' % (verb, rc, netform_message(out, err)), rc=rc, stdout=out, stderr=err, **self.result)

    def host_args(self):
        p = self.module.params
        return ['--host', p['host']] + (['--state-dir', p['state_dir']] if p['state_dir'] else [])

    def present(self):
        """check mode: netform plan; else netform apply, which prints the plan it carries out. Either
        way the plan's last line, `Plan: N to add, N to change, N to destroy.` or `No changes.`, says
        whether anything changes."""
        src = self.module.params['src']
        if not src:
            self.module.fail_json(msg='src is required with state=present')
        if not os.path.isfile(src):
            self.module.fail_json(msg='src: %s is not a file on this host (copy it there first)' % src)
        check = self.module.check_mode
        verb = 'plan' if check else 'apply'
        rc, out, err = self.run([verb, os.path.abspath(src)] + self.host_args() + (['--detailed-exitcode'] if check else []))
        warn_diagnostics(self.module, err)
        if rc not in ((0, 2) if check else (0,)):
            self.fail(verb, rc, out, err)
        text = out.split('\nApply complete: ')[0].rstrip('\n') + '\n'
        counts = re.findall(r'^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.$', text, re.M)
        summary = dict(zip(('add', 'change', 'destroy'), [int(n) for n in counts[-1]] if counts else [0, 0, 0]))
        changed = sum(summary.values()) > 0
        if check and changed != (rc == 2):
            self.module.fail_json(msg='netform plan exited %d but printed %s' % (rc, 'changes' if changed else 'no changes'), stdout=out, stderr=err)
        self.result.update(changed=changed, plan=text, summary=summary, stdout=out, stderr=err)
        if self.module._diff and changed:
            self.result['diff'] = dict(prepared=text)

    def absent(self):
        p = self.module.params
        state_dir = p['state_dir'] or os.path.join(STATE_ROOT, p['host'])
        applied = any(os.path.exists(os.path.join(state_dir, f)) for f in ('state.json', 'journal.json'))
        if self.module.check_mode:
            # netform has no plan of a destroy: what the state directory says was applied is what goes.
            self.result['changed'] = applied
            if self.module._diff and applied:
                self.result['diff'] = dict(prepared='netform destroy removes what was applied to host %s (%s)\n' % (p['host'], state_dir))
            return
        if not applied:
            return
        rc, out, err = self.run(['destroy'] + self.host_args())
        if rc != 0:
            self.fail('destroy', rc, out, err)
        self.result.update(changed='\nDestroy complete: ' in out, stdout=out, stderr=err)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path'),
            host=dict(type='str', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            state_dir=dict(type='path'),
            host_netns=dict(type='str'),
            netns_prefix=dict(type='str'),
            executable=dict(type='str', default='netform'),
        ),
        supports_check_mode=True,
    )
    netform = Netform(module)
    if module.params['state'] == 'present':
        netform.present()
    else:
        netform.absent()
    module.exit_json(**netform.result)


if __name__ == '__main__':
    main()
