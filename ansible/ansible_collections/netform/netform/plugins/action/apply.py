# -*- coding: utf-8 -*-
# The action side of netform.netform.apply, run on the controller: a module sees only its arguments, so
# the default of `host` (the inventory name of the host the task runs for) is filled in here; the module
# itself then runs on the managed host as usual, check and diff mode passed on.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        if not args.get('host'):
            args['host'] = task_vars.get('inventory_hostname')
        result.update(self._execute_module(module_name='netform.netform.apply', module_args=args, task_vars=task_vars))
        return result
