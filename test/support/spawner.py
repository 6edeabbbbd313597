# Runs programs for a test process (test/support/spawner.ts): `python3 spawner.py REQUEST RESPONSE`,
# two FIFOs. Each request is one JSON line {argv, input, env, cwd, timeoutMs}; each answer one JSON
# line {status, signal, stdout, stderr, error}. A small process starts programs for a fraction of what
# a large Node.js process pays for each fork. It says "ready" once it holds both FIFOs, and exits when
# the request FIFO closes (the test process ended).
import errno
import json
import os
import signal
import subprocess
import sys

request_path, response_path = sys.argv[1], sys.argv[2]
requests = open(request_path, 'rb')
responses = open(response_path, 'wb')
responses.write(b'ready\n')
responses.flush()


def text(b):
    return (b or b'').decode('utf-8', 'replace')


def run(r):
    argv = r['argv']
    try:
        p = subprocess.run(argv, input=r['input'].encode('utf-8'), capture_output=True, env=r['env'], cwd=r['cwd'], timeout=r['timeoutMs'] / 1000)
    except subprocess.TimeoutExpired as e:
        return {'status': None, 'signal': 'SIGKILL', 'stdout': text(e.stdout), 'stderr': text(e.stderr), 'error': 'spawnSync %s ETIMEDOUT' % argv[0]}
    except OSError as e:
        code = errno.errorcode.get(e.errno, str(e))
        return {'status': None, 'signal': None, 'stdout': '', 'stderr': '', 'error': 'spawnSync %s %s' % (argv[0], code)}
    if p.returncode < 0:
        return {'status': None, 'signal': signal.Signals(-p.returncode).name, 'stdout': text(p.stdout), 'stderr': text(p.stderr), 'error': None}
    return {'status': p.returncode, 'signal': None, 'stdout': text(p.stdout), 'stderr': text(p.stderr), 'error': None}


for line in requests:
    try:
        answer = run(json.loads(line))
    except Exception as e:  # noqa: BLE001 - a request this cannot serve is answered, never left waiting
        answer = {'status': None, 'signal': None, 'stdout': '', 'stderr': '', 'error': 'spawner: %s' % e}
    responses.write(json.dumps(answer).encode('utf-8') + b'\n')
    responses.flush()
