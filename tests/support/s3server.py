"""An in-process moto S3 server over TLS on 127.0.0.1, for tests and benchmarks.

Why TLS: minio-py sends ``Content-MD5`` only over HTTPS, and moto (like S3) refuses object-lock
uploads without it. A throwaway CA made with ``cryptography`` signs the server certificate, and
clients verify it (``ca_file``), as production clients verify MinIO's.

The server keeps its state (moto's in-process backends) across :meth:`S3TestServer.stop` and
:meth:`S3TestServer.start`, and comes back on the same port, so a test can take the object store
"down" and bring it back. ``stop`` closes the listening socket *and* every open keep-alive
connection, so clients really get "connection refused" instead of being served by a lingering
handler thread. :meth:`reset` empties every bucket (``POST /moto-api/reset``).

Usage::

    with S3TestServer(tmp_dir) as s3:
        store = create_store(s3.store_config(bucket="docs"))
"""
from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import urllib.request
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ACCESS_KEY", "REGION", "SECRET_KEY", "S3TestServer", "make_test_ca"]

ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # moto accepts any credentials unless its IAM auth is switched on
REGION = "us-east-1"


def make_test_ca(directory: Path, *, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` into ``directory``.

    The server certificate is valid for ``host`` (as an IP address) and ``localhost``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edoc test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=True, encipher_only=False,
                          decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)),
                                         x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "ca.pem"
    cert_file = directory / "server.pem"
    key_file = directory / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


def _server_classes() -> tuple[type, type]:
    """Build the server and handler classes on first use (moto imports Flask apps lazily)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import ThreadedWSGIServer

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # one line per request is noise
            pass

        def log(self, type: str, message: str, *args: Any) -> None:
            if type == "error":
                super().log(type, message, *args)

    class TrackingServer(ThreadedWSGIServer):
        """Remembers open client connections so that stop() can cut them."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.open_connections: set[socket.socket] = set()
            self.connections_lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def get_request(self) -> tuple[Any, Any]:
            conn, addr = super().get_request()
            # Like MinIO (Go sets it by default): without it, Nagle's algorithm holds back the
            # small second write of every short response for a delayed ACK (~15 ms).
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, addr

        def process_request(self, request: Any, client_address: Any) -> None:
            with self.connections_lock:
                self.open_connections.add(request)
            super().process_request(request, client_address)

        def shutdown_request(self, request: Any) -> None:
            with self.connections_lock:
                self.open_connections.discard(request)
            super().shutdown_request(request)

        def handle_error(self, request: Any, client_address: Any) -> None:
            # Connections cut by stop() end in OSError inside handler threads: expected.
            pass

        def cut_connections(self) -> None:
            with self.connections_lock:
                conns = list(self.open_connections)
                self.open_connections.clear()
            for conn in conns:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(conn, socket.SHUT_RDWR)

    return TrackingServer, QuietHandler


class S3TestServer:
    """moto's S3 over HTTPS on ``host`` (default 127.0.0.1) and a port chosen by the OS."""

    def __init__(self, workdir: Path, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.ca_file, self._cert_file, self._key_file = make_test_ca(Path(workdir), host=host)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> S3TestServer:
        """Start serving (again). After a stop, the same port and the same data come back."""
        if self._server is not None:
            return self
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        server_cls, handler_cls = _server_classes()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self._cert_file), str(self._key_file))
        app = DomainDispatcherApplication(create_backend_app)
        self._server = server_cls(self.host, self.port, app, handler_cls, False, ctx)
        self.port = self._server.port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"moto-s3-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: new connections are refused and open ones are cut."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()  # ends serve_forever, which closes the listening socket
        if self._thread is not None:
            self._thread.join(timeout=10)
        server.server_close()
        server.cut_connections()

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> S3TestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need --------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``host:port`` as MinIO clients want it."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.endpoint}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def store_config(self, *, bucket: str = "edoc-test",
                     lock_mode: str = "GOVERNANCE") -> dict[str, Any]:
        """Flask config keys that make :func:`edoc.storage.create_store` build a MinioStore
        against this server. GOVERNANCE by default so tests can clean up locked objects."""
        return {
            "STORAGE_BACKEND": "minio",
            "MINIO_ENDPOINT": self.endpoint,
            "MINIO_ACCESS_KEY": ACCESS_KEY,
            "MINIO_SECRET_KEY": SECRET_KEY,
            "MINIO_BUCKET": bucket,
            "MINIO_SECURE": True,
            "MINIO_CA_FILE": str(self.ca_file),
            "MINIO_REGION": REGION,
            "MINIO_LOCK_MODE": lock_mode,
        }

    def minio_client(self) -> Any:
        """A raw ``minio.Minio`` client for this server (to act behind the app's back)."""
        import urllib3
        from minio import Minio

        http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(self.ca_file),
                                   retries=urllib3.Retry(total=0))
        return Minio(self.endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY, secure=True,
                     region=REGION, http_client=http)

    def reset(self) -> None:
        """Delete every bucket and object (moto's reset API)."""
        req = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, context=self.ssl_context(), timeout=30) as resp:
            resp.read()
