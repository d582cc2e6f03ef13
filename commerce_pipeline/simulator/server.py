"""The simulator's HTTP server: many stores on one 127.0.0.1 port.

URL layout:
  POST /stores/<shop>/admin/api/<YYYY-MM>/graphql.json   the GraphQL Admin API
  GET  /bulk/<shop>/<n>.jsonl                             a bulk operation's result
  POST /_sim/<shop>/faults        {"kind", "count", ...params}   inject faults
  GET  /_sim/<shop>/stats                                        request statistics
  POST /_sim/<shop>/stats/reset                                  clear them
  POST /_sim/<shop>/update        {"resource", "count"}  -> {"ids": [...]}
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from commerce_pipeline.simulator.api import ShopState, handle_graphql, json_response
from commerce_pipeline.simulator.bulk import BulkOperations
from commerce_pipeline.simulator.faults import FaultQueue
from commerce_pipeline.simulator.stats import StoreStats
from commerce_pipeline.simulator.store import Store
from commerce_pipeline.simulator.throttle import LeakyBucket

_GRAPHQL = re.compile(r"^/stores/([^/]+)/admin/api/([^/]+)/graphql\.json$")
_BULK = re.compile(r"^/bulk/([^/]+)/(\d+)\.jsonl$")
_SIM = re.compile(r"^/_sim/([^/]+)/(faults|stats|stats/reset|update)$")
_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
NOT_FOUND = json_response(404, {"errors": "Not Found"})


class SimulatorServer:
    def __init__(self, stores: Iterable[Store], host: str = "127.0.0.1", port: int = 0,
                 bucket_size: float = 1000, restore_rate: float = 50.0,
                 data_dir: str | Path | None = None, bulk_delay: float = 0.0):
        self.host, self._requested_port = host, port
        self.states: dict[str, ShopState] = {}
        for store in stores:
            if store.shop in self.states:
                raise ValueError(f"two stores are named {store.shop!r}")
            self.states[store.shop] = ShopState(store, LeakyBucket(bucket_size, restore_rate),
                                                StoreStats(), FaultQueue())
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="shopify-sim-"))
        self.operations = BulkOperations(self.data_dir, self.bulk_url, bulk_delay, self._bulk_done)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SimulatorServer:
        if self._httpd is None:
            self._httpd = ThreadingHTTPServer((self.host, self._requested_port), _handler(self))
            self._httpd.daemon_threads = True
            self._port = self._httpd.server_address[1]
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.operations.join()  # let running bulk operations finish their files first
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SimulatorServer:  # noqa: PYI034 - start() returns self
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator has not been started")
        return self._port

    def base_url(self, shop: str) -> str:
        self._state(shop)
        return f"http://{self.host}:{self.port}/stores/{shop}"

    def graphql_url(self, shop: str, version: str = "2025-01") -> str:
        return f"{self.base_url(shop)}/admin/api/{version}/graphql.json"

    def bulk_url(self, shop: str, serial: int) -> str:
        return f"http://{self.host}:{self.port}/bulk/{shop}/{serial}.jsonl"

    # -- control -----------------------------------------------------------------------------
    def _state(self, shop: str) -> ShopState:
        try:
            return self.states[shop]
        except KeyError:
            raise KeyError(f"no store named {shop!r}") from None

    def store(self, shop: str) -> Store:
        return self._state(shop).store

    def stats(self, shop: str) -> dict:
        return self._state(shop).stats.snapshot()

    def reset_stats(self, shop: str) -> None:
        self._state(shop).stats.reset()

    def inject_fault(self, shop: str, kind: str, count: int = 1, **params) -> None:
        state = self._state(shop)
        if kind == "bulk_failed":
            self.operations.fail_next(shop, count)
        else:
            state.faults.inject(kind, count, **params)
        state.stats.add("faults_injected", count)

    def update_records(self, shop: str, resource: str, count: int, now=None) -> list[int]:
        return self._state(shop).store.update_records(resource, count, now)

    def _bulk_done(self, shop: str, counts: dict, searches: list[str]) -> None:
        state = self.states[shop]
        state.stats.nodes("bulk", counts)
        state.stats.searches(searches)
        state.stats.add("bulk_operations")

    # -- HTTP --------------------------------------------------------------------------------
    def route(self, method: str, path: str, headers, body: bytes):
        """(status, headers, body bytes, or a Path to stream) for one request."""
        path = path.split("?", 1)[0]
        if match := _GRAPHQL.match(path):
            shop, version = match.groups()
            if method != "POST" or shop not in self.states or not _VERSION.match(version):
                return NOT_FOUND
            return handle_graphql(self.states[shop], self.operations,
                                  headers.get("X-Shopify-Access-Token"), body)
        if (match := _BULK.match(path)) and method == "GET":
            file = self.data_dir / "bulk" / match[1] / f"{match[2]}.jsonl"
            if not file.is_file():
                return NOT_FOUND
            return 200, {"Content-Type": "application/jsonl"}, file
        if (match := _SIM.match(path)) and match[1] in self.states:
            return self._control(method, match[1], match[2], body)
        return NOT_FOUND

    def _control(self, method: str, shop: str, action: str, body: bytes):
        if action == "stats" and method == "GET":
            return json_response(200, self.stats(shop))
        if method != "POST":
            return NOT_FOUND
        if action == "stats/reset":
            self.reset_stats(shop)
            return json_response(200, {"ok": True})
        try:
            payload = json.loads(body or b"{}")
            if action == "faults":
                params = {k: v for k, v in payload.items() if k not in ("kind", "count")}
                self.inject_fault(shop, payload["kind"], int(payload.get("count", 1)), **params)
                return json_response(200, {"ok": True})
            ids = self.update_records(shop, payload["resource"], int(payload.get("count", 1)),
                                      payload.get("now"))
            return json_response(200, {"ids": ids})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return json_response(400, {"errors": str(exc)})


def _handler(server: SimulatorServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients with a Session expect
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, payload = server.route(method, self.path, self.headers, body)
            except Exception as exc:  # noqa: BLE001 - answer 500 rather than drop the connection
                status, headers, payload = json_response(500, {"errors": f"simulator: {exc!r}"})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(payload, Path):
                self.send_header("Content-Length", str(payload.stat().st_size))
                self.end_headers()
                with open(payload, "rb") as f:
                    shutil.copyfileobj(f, self.wfile)
                return
            if "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self._serve("POST")

        def do_GET(self) -> None:
            self._serve("GET")

        def log_message(self, format: str, *args) -> None:
            pass  # quiet: no line per request on stderr

    return Handler
