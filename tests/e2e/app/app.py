"""WSGI app for the E2E reproductions (run by Debian's gunicorn 20.1).

Every endpoint that a test has to act on while the request is in flight writes the pid of the
worker serving it to $E2E_STATE/<name>.pid first, so the test can kill exactly that worker.
"""
import logging
import os
import socket
import time
from urllib.parse import parse_qs

STATE = os.environ.get("E2E_STATE", "/tmp")


def _mark(name):
    path = os.path.join(STATE, name + ".pid")
    with open(path + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(path + ".tmp", path)  # the test never sees a half-written pid


def _arg(environ, key, default):
    values = parse_qs(environ.get("QUERY_STRING", "")).get(key)
    return type(default)(values[0]) if values else default


def _reply(start_response, status, body, extra=()):
    body = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))] + list(extra))
    return [body]


def _read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def ok(environ, start_response):
    body = _read_body(environ)  # POSTs are read in full: a healthy handler
    return _reply(start_response, "200 OK", "ok %s %d bytes pid %d\n" % (environ["REQUEST_METHOD"], len(body), os.getpid()))


def slow(environ, start_response):
    """Reads the whole request, then sleeps ?s= seconds (worker timeout, proxy_read_timeout, kill after read)."""
    _read_body(environ)
    _mark("slow")
    time.sleep(_arg(environ, "s", 10.0))
    return _reply(start_response, "200 OK", "slow done\n")


def noread(environ, start_response):
    """Sleeps without reading the request body: the body stays in the socket's receive buffer."""
    _mark("noread")
    time.sleep(_arg(environ, "s", 10.0))
    return _reply(start_response, "200 OK", "noread done\n")


def hog(environ, start_response):
    """Allocates ?mb= MiB in ?step= MiB chunks, touching every page, so a memory cgroup OOM-kills it."""
    _mark("hog")
    total, step = _arg(environ, "mb", 1024), _arg(environ, "step", 16)
    chunks = []
    for _ in range(0, total, step):
        chunks.append(bytearray(step * 1024 * 1024))  # zero-filled by calloc: pages touched below
        for i in range(0, len(chunks[-1]), 4096):
            chunks[-1][i] = 1
        time.sleep(0.01)
    return _reply(start_response, "200 OK", "survived %d MiB\n" % total)


def upload(environ, start_response):
    """Refuses a body larger than ?limit= bytes by closing the connection at once, without reading
    the body and without a response (as a server with a hard body limit does). The close happens
    while the body is still arriving, so the kernel resets the connection over the unread bytes.
    """
    length = int(environ.get("CONTENT_LENGTH") or 0)
    limit = _arg(environ, "limit", 1024 * 1024)
    if length > limit:
        logging.getLogger("gunicorn.error").warning("upload of %d bytes over the %d-byte limit: closing the connection", length, limit)
        _abort_connection(environ["gunicorn.socket"])
        start_response("413 Request Entity Too Large", [("Content-Length", "0")])
        return [b""]  # gunicorn's write now fails with EPIPE, which it ignores
    _read_body(environ)
    return _reply(start_response, "200 OK", "stored %d bytes\n" % length)


def _abort_connection(sock):
    """Closes the client connection under gunicorn: the TCP socket's descriptor is replaced by one
    end of a socketpair whose peer is gone, which drops the last reference to the TCP socket (the
    kernel closes it, with RST because of the unread body); gunicorn's later writes get EPIPE."""
    a, b = socket.socketpair()
    b.close()
    os.dup2(a.fileno(), sock.fileno())
    a.close()


ROUTES = {"/ok": ok, "/slow": slow, "/noread": noread, "/hog": hog, "/upload": upload}


def application(environ, start_response):
    handler = ROUTES.get(environ.get("PATH_INFO", "/"))
    if handler is None:
        return _reply(start_response, "404 Not Found", "no route\n")
    return handler(environ, start_response)
