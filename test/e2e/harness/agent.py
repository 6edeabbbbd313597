# The program that starts servers and sends probes inside an example's network namespaces, for the
# end-to-end harness (agent-process.ts): `python3 agent.py <path of ip>`, one JSON object per line on
# stdin, each answered by one line on stdout. One process serves every namespace of an example: each
# request names its namespace, and the thread that handles it enters that namespace with setns(2)
# before it makes a socket. A socket belongs to the namespace it was made in for its whole life, so
# every packet is sent and received by that namespace's stack, routes and firewall, as with a program
# started there by `ip netns exec`. A probe to a name (not an address) resolves it with getent run by
# `ip netns exec` in that namespace, which sees the namespace's own /etc/hosts, as a program there would.
# Servers answer every probe with who they are, the port they listen on and the peer address they saw,
# which is how a test tells DNAT and masquerade apart; they also remember each probe's token, so a
# request whose answer was lost can still be told from one that never arrived. The process exits when
# stdin closes (a crashed harness leaves no server behind). Standard library only, and the few modules
# it needs: it starts in a few tens of milliseconds.
import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
IP = sys.argv[1] if len(sys.argv) > 1 else 'ip'
_libc = ctypes.CDLL(None, use_errno=True)
_write_lock = threading.Lock()
_seen_lock = threading.Lock()
# The peer each probe token came from, by (proto, port, token). Probes send "ping <token>".
_seen = {}


class NamespaceError(Exception):
    pass


def enter(ns):
    """Moves the calling thread (only it) into the named network namespace."""
    try:
        fd = os.open(os.path.join('/run/netns', ns), os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise NamespaceError('no network namespace %s (%s)' % (ns, e.strerror)) from None
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise NamespaceError('cannot enter network namespace %s (%s)' % (ns, os.strerror(ctypes.get_errno())))
    finally:
        os.close(fd)


def plain(address):
    return address[7:] if address.startswith('::ffff:') else address


def answer_text(server, port, peer):
    return json.dumps({'server': server, 'port': port, 'peer': plain(peer)}, separators=(',', ':'))


def record(proto, port, payload, peer):
    words = payload.split()
    if len(words) >= 2 and words[0] == 'ping':
        with _seen_lock:
            _seen[(proto, port, words[1])] = plain(peer)


def error_code(e):
    if isinstance(e, socket.timeout):
        return 'timeout'
    if isinstance(e, OSError) and e.errno in errno.errorcode:
        return errno.errorcode[e.errno]
    return str(e)


def read_until(sock, end, limit=65536):
    data = b''
    while end not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve_stream(label, proto, port, srv):
    def one(conn, peer):
        try:
            conn.settimeout(10)
            if proto == 'tcp':
                record(proto, port, read_until(conn, b'\n').decode('utf8', 'replace'), peer)
                conn.sendall((answer_text(label, port, peer) + '\n').encode())
            else:
                request = read_until(conn, b'\r\n\r\n').decode('latin-1')
                target = request.split(' ', 2)[1] if request.count(' ') >= 2 else '/'
                record(proto, port, 'ping ' + target[1:], peer)
                body = answer_text(label, port, peer).encode()
                head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n' % len(body)
                conn.sendall(head.encode() + body)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            conn.close()

    while True:
        conn, addr = srv.accept()
        threading.Thread(target=one, args=(conn, addr[0]), daemon=True).start()


def bound(family, address):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(address)
    except OSError:
        s.close()
        raise
    return s


def listen_stream(label, proto, port):
    """A TCP server on every address of the namespace (IPv4 too, as v4-mapped), or IPv4 only without IPv6."""
    try:
        srv = bound(socket.AF_INET6, ('::', port))
    except OSError as e:
        if e.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
            raise
        srv = bound(socket.AF_INET, ('0.0.0.0', port))
    srv.listen(128)
    threading.Thread(target=serve_stream, args=(label, proto, port, srv), daemon=True).start()


def local_addresses(ns):
    """Addresses a UDP server binds one socket to, so that each answer leaves from the address the
    request was sent to. Read with `ip`, which also lists links whose state is not up yet."""
    text = subprocess.run([IP, '-n', ns, '-o', 'addr', 'show'], capture_output=True, text=True, check=True).stdout
    out = []
    for line in text.split('\n'):
        if ' scope link ' in line or ' tentative' in line:
            continue
        words = line.split()
        for i, w in enumerate(words[:-1]):
            if w in ('inet', 'inet6'):
                out.append((words[i + 1].split('/')[0], socket.AF_INET6 if w == 'inet6' else socket.AF_INET))
                break
    return out


def listen_udp(label, port, ns):
    addresses = local_addresses(ns)
    if not addresses:
        raise OSError('no local address to bind a UDP server to')

    def serve(s):
        while True:
            msg, peer = s.recvfrom(65536)
            record('udp', port, msg.decode('utf8', 'replace'), peer[0])
            try:
                s.sendto(answer_text(label, port, peer[0]).encode(), peer)
            except OSError:
                pass

    for address, family in addresses:
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((address, port))
        threading.Thread(target=serve, args=(s,), daemon=True).start()


def is_address(host):
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            pass
    return False


def resolve(ns, name):
    """The address a program in the namespace gets for a name: getaddrinfo's first answer, asked by
    getent in the namespace's own view of /etc (`ip netns exec` mounts /etc/netns/<ns>/ over it)."""
    r = subprocess.run([IP, 'netns', 'exec', ns, 'getent', 'ahosts', name], capture_output=True, text=True)
    words = r.stdout.split()
    if r.returncode != 0 or not words:
        raise OSError('ENOTFOUND')
    return words[0]


def probe(ns, proto, host, port, token, timeout_ms):
    """Sends the token to host:port (an address, or a name resolved as in the namespace); returns the
    server's answer text, or raises."""
    deadline = time.monotonic() + timeout_ms / 1000
    name = host
    if not is_address(host):
        host = resolve(ns, host)
    left = lambda: max(0.001, deadline - time.monotonic())
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    kind = socket.SOCK_DGRAM if proto == 'udp' else socket.SOCK_STREAM
    with socket.socket(family, kind) as s:
        s.settimeout(left())
        # A connected UDP socket reports ICMP port/host unreachable as an error.
        s.connect((host, port))
        if proto == 'udp':
            s.send(('ping ' + token).encode())
            s.settimeout(left())
            return s.recv(65536).decode('utf8')
        if proto == 'tcp':
            s.sendall(('ping %s\n' % token).encode())
        else:
            target = '[%s]:%d' % (name, port) if ':' in name else '%s:%d' % (name, port)
            s.sendall(('GET /%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' % (token, target)).encode())
        data = b''
        while True:
            s.settimeout(left())
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        raise OSError('closed without an answer')
    if proto == 'tcp':
        return data.decode('utf8')
    head, _, body = data.partition(b'\r\n\r\n')
    status = head.split(b' ', 2)[1].decode() if head.count(b' ') >= 1 else '?'
    if status != '200':
        raise OSError('HTTP %s' % status)
    return body.decode('utf8')


def handle(req):
    rid = req['id']
    try:
        enter(req['ns'])
        op = req['op']
        if op == 'listen':
            if req['proto'] == 'udp':
                listen_udp(req['label'], req['port'], req['ns'])
            else:
                listen_stream(req['label'], req['proto'], req['port'])
            return {'id': rid, 'ok': True}
        if op == 'seen':
            with _seen_lock:
                return {'id': rid, 'ok': True, 'seenFrom': _seen.get((req['proto'], req['port'], req['token']))}
        try:
            text = probe(req['ns'], req['proto'], req['host'], req['port'], req['token'], req['timeoutMs'])
        except (OSError, UnicodeDecodeError) as e:
            return {'id': rid, 'ok': False, 'error': error_code(e)}
        return {'id': rid, 'ok': True, 'answer': json.loads(text.strip())}
    except Exception as e:  # noqa: BLE001 - every failure is an answer, never a dead agent
        return {'id': rid, 'ok': False, 'error': error_code(e)}


def send(msg):
    line = json.dumps(msg) + '\n'
    with _write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def run(req):
    send(handle(req))


def main():
    send({'ready': True})
    for line in sys.stdin:
        if line.strip():
            threading.Thread(target=run, args=(json.loads(line),), daemon=True).start()
    os._exit(0)


main()
