"""Fetching, parsing and pre-storing received messages ahead of the applying thread.

The poller applies messages one at a time, in order, in one thread. What can run ahead of it
is done here: fetch over HTTP, parse and validate (XML, base64, unzip, XSD), write the raw
package and the attachments to the object store (the apply then finds them there). In the
poller's threads this work shares the interpreter lock with the applying thread, so a long
inbox keeps one core busy however many threads fetch. For a long inbox it therefore runs in
worker processes (``AXIS_PREFETCH_PROCESSES``), which need no database and no app: only the
axis credentials and the object store settings. The pool is kept between polls of the same
configuration and is started only for a batch of at least :data:`PROCESS_BATCH` messages.

Nothing here writes a row or acknowledges anything: a worker killed at any point leaves at
most an unreferenced object in the store (collected by ``flask storage gc``).
"""
from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import io
import logging
import multiprocessing
import os
import pickle
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from connectors import EnvelopeInvalid
from connectors.client import AxisClient
from connectors.edxml import DEFAULT_CONFIG, EdocMessage, StatusMessage, parse_message
from connectors.protocol import DEFAULT_PROTOCOL
from edoc.capture import CapturedFile
from edoc.exchange.outbox import XML_TYPE

if TYPE_CHECKING:
    from edoc.signatures.verification import Prechecked

__all__ = ["PROCESS_BATCH", "Parsed", "capture_and_store", "fetch_parse_store", "pre_store",
           "prepare", "process_pool", "shutdown_pools"]

logger = logging.getLogger(__name__)

Parsed = EdocMessage | StatusMessage | EnvelopeInvalid

#: smallest batch for which worker processes are used (starting one costs ~1 s of CPU)
PROCESS_BATCH = 8

_STORE_PREFIXES = ("STORAGE_", "MINIO_")
PDF_TYPE = "application/pdf"
#: added to the worker processes' niceness (lower CPU priority than the web and the poller)
PREFETCH_NICENESS = 5


def prepare(parsed: Parsed) -> CapturedFile | None:
    """The capture of a new document's main file (type checks, first-page text, suggestion),
    so that applying the message is left with database work only."""
    if not isinstance(parsed, EdocMessage):
        return None
    from edoc.exchange.receive import prepare_capture

    return prepare_capture(parsed)


def _put(store, data: bytes, content_type: str) -> None:
    try:
        store.put(io.BytesIO(data), size=len(data), content_type=content_type)
    except Exception:
        logger.debug("exchange: prefetch could not pre-store a message", exc_info=True)


def _objects(data: bytes, parsed: Parsed) -> list[tuple[bytes, str]]:
    return [(data, XML_TYPE), *((att.data, att.content_type or "application/octet-stream")
                                for att in getattr(parsed, "attachments", ()))]


_io_pool: ThreadPoolExecutor | None = None
_io_lock = threading.Lock()


def _io() -> ThreadPoolExecutor:
    global _io_pool
    with _io_lock:
        if _io_pool is None:
            _io_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="axis-prestore")
        return _io_pool


def pre_store(store, data: bytes, parsed: Parsed) -> None:
    """Put the raw package and the attachments in ``store`` (best effort: the apply stores
    them again anyway, finding them already there)."""
    for obj, content_type in _objects(data, parsed):
        _put(store, obj, content_type)


def capture_and_store(store, data: bytes, parsed: Parsed) -> CapturedFile | None:
    """:func:`prepare` while the raw package and the attachments are put in ``store`` (if any)
    by two threads: the puts mostly wait for the disk (fsync), the capture uses the CPU, so
    the wait is hidden. Returns once every put is done."""
    if store is None:
        return prepare(parsed)
    puts = [_io().submit(_put, store, obj, content_type)
            for obj, content_type in _objects(data, parsed)]
    try:
        return prepare(parsed)
    finally:
        for put in puts:
            put.result()


# --------------------------------------------------------------------------- worker side

_worker: dict[str, Any] = {}


def _init_worker(client_args: Mapping[str, Any], store_config: Mapping[str, Any] | None,
                 trust_args: Mapping[str, Any] | None = None) -> None:
    _worker["client"] = AxisClient(**client_args)
    _worker["store"] = None
    _worker["trust"] = None
    if store_config is not None:
        from edoc.storage import create_store

        _worker["store"] = create_store(store_config)
    if trust_args is not None:
        from signing import TrustSettings

        _worker["trust"] = TrustSettings(**trust_args)
    from edoc.runtime import settle_after_startup

    settle_after_startup()  # a long-lived process: kept between polls
    # Background work: the web workers (a clerk registering) and the applying thread, which
    # waits for nothing else, go first when the cores are busy; these fill the idle time.
    with contextlib.suppress(OSError):
        os.nice(PREFETCH_NICENESS)


def fetch_parse_store(doc_id: str) -> tuple[bytes, Parsed, CapturedFile | None,
                                             Prechecked | None]:
    """In a worker process: fetch, parse, capture, pre-store, and check the signatures of a
    new document's PDF. Raises what the client raises (TransportError, RemoteRejected:
    connector errors pickle back to the poller). The capture's bytes are the attachment's very
    object: they travel back once."""
    data = _worker["client"].fetch(doc_id)
    try:
        parsed: Parsed = parse_message(data, config=DEFAULT_CONFIG)
    except EnvelopeInvalid as exc:
        return data, exc, None, None
    captured = capture_and_store(_worker["store"], data, parsed)
    return data, parsed, captured, _precheck(captured, _worker.get("trust"))


def _precheck(captured: CapturedFile | None, trust: Any) -> Prechecked | None:
    """The signature report of a new document's PDF, made here rather than by a job after the
    document is stored (the job would read the file back and need three more transactions).
    None when there is nothing to check or no trust to check against: the job does it then."""
    if captured is None or trust is None or captured.mime_type != PDF_TYPE:
        return None
    from edoc.signatures.verification import precheck

    try:
        return precheck(captured.original, trust)
    except Exception:  # the job checks it again and records why
        logger.warning("exchange: prefetch could not check the signatures", exc_info=True)
        return None


# --------------------------------------------------------------------------- poller side

_pools: dict[tuple, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def _client_args(client: AxisClient) -> dict[str, Any] | None:
    """The client's settings for a worker; None when it uses a protocol or profile other than
    the defaults (they hold read-only mappings that do not pickle)."""
    args = client.settings()
    for name, default in (("protocol", DEFAULT_PROTOCOL), ("edxml_config", DEFAULT_CONFIG)):
        if args.pop(name) != default:
            return None
    return args


def _key(values: Mapping[str, Any]) -> tuple:
    plain = (str, int, float, bool, type(None))
    return tuple(sorted((k, v if isinstance(v, plain) else repr(v)) for k, v in values.items()))


def _store_config(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """The settings a worker needs to open the same store; None for a store that lives in this
    process only (``memory``, tests), which workers cannot pre-fill."""
    if str(config.get("STORAGE_BACKEND", "filesystem")) == "memory":
        return None
    return {k: v for k, v in config.items() if k.startswith(_STORE_PREFIXES)}


def trust_spec(trust: Any) -> tuple[dict[str, Any] | None, str | None]:
    """What a worker needs to rebuild ``trust`` (a ``signing.TrustSettings``): its
    constructor's arguments, if they pickle (certificates given as bytes, as the app's
    settings give them), and their digest (part of the pool's key); else (None, None) and the
    workers check no signatures."""
    if trust is None:
        return None, None
    spec = {f.name: getattr(trust, f.name) for f in dataclasses.fields(trust) if f.init}
    try:
        return spec, hashlib.sha256(pickle.dumps(spec)).hexdigest()
    except Exception:
        return None, None


def process_pool(processes: int, client: AxisClient, config: Mapping[str, Any],
                 trust: Any = None) -> ProcessPoolExecutor | None:
    """The pool of ``processes`` workers for this client, store and signature trust (started
    on first use, kept for the next polls; a pool of another configuration is shut down: new
    trust roots or CRLs start new workers). None: this client cannot be rebuilt in a worker
    (use threads)."""
    client_args = _client_args(client)
    if client_args is None:
        return None
    store_config = _store_config(config)
    spec, spec_key = trust_spec(trust)
    key = (processes, _key(client_args), _key(store_config or {}), spec_key)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            for old in _pools.values():
                old.shutdown(wait=False, cancel_futures=True)
            _pools.clear()
            # spawn: the poller's process has threads and database connections, which a fork
            # would copy in whatever state they are in.
            pool = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(client_args, store_config, spec))
            _pools[key] = pool
        return pool


def shutdown_pools() -> None:
    with _lock:
        for pool in _pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        _pools.clear()


atexit.register(shutdown_pools)
