"""Iceberg catalogs: S3 Tables' REST endpoint signed as AWS documents it (a contract test of the
requests PyIceberg sends, on a loopback server), and the embedded SQLite default."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pyiceberg.exceptions import NoSuchTableError

from omics_provider.aws.iceberg_catalog import local_catalog, open_catalog, s3_tables_catalog

ARN = "arn:aws:s3tables:us-east-1:123456789012:bucket/genomics-tables"


class Recorder(BaseHTTPRequestHandler):
    """Answers the REST catalog's config call and 404s everything else, recording each request."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        Recorder.seen.append({"path": self.path, "headers": dict(self.headers)})
        if self.path.startswith("/iceberg/v1/config"):
            self._answer(200, {"defaults": {}, "overrides": {"prefix": "tables-prefix"}})
        else:
            error = {"message": "no such table", "type": "NoSuchTableException", "code": 404}
            self._answer(404, {"error": error})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def rest_server() -> Iterator[str]:
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/iceberg"
    server.shutdown()
    server.server_close()


def test_s3_tables_catalog_names_the_endpoint_warehouse_and_signing_as_aws_documents() -> None:
    assert s3_tables_catalog(ARN, "eu-west-1") == {
        "type": "rest",
        "uri": "https://s3tables.eu-west-1.amazonaws.com/iceberg",
        "warehouse": ARN,
        "rest.sigv4-enabled": "true",
        "rest.signing-name": "s3tables",
        "rest.signing-region": "eu-west-1",
    }


def test_open_catalog_for_s3_tables_signs_every_request_with_sigv4_for_s3tables(
    rest_server: str,
) -> None:
    properties = {**s3_tables_catalog(ARN, "us-east-1"), "uri": rest_server}
    catalog = open_catalog(properties)
    with pytest.raises(NoSuchTableError):
        catalog.load_table("genomics.variants")
    config, load = Recorder.seen
    assert (
        config["path"]
        == f"/iceberg/v1/config?warehouse={ARN.replace(':', '%3A').replace('/', '%2F')}"
    )
    assert load["path"] == "/iceberg/v1/tables-prefix/namespaces/genomics/tables/variants"
    for request in (config, load):
        authorization = request["headers"]["Authorization"]
        assert authorization.startswith("AWS4-HMAC-SHA256 Credential=testing/")
        assert "/us-east-1/s3tables/aws4_request" in authorization
        assert "x-amz-date" in {k.lower() for k in request["headers"]}


def test_open_catalog_without_properties_is_the_embedded_sqlite_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = open_catalog(None)
    catalog.create_namespace("genomics")
    assert (tmp_path / ".iceberg" / "catalog.db").is_file()
    assert local_catalog() == {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path / '.iceberg' / 'catalog.db'}",
        "warehouse": (tmp_path / ".iceberg" / "warehouse").as_uri(),
    }
