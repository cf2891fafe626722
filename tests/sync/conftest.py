"""Fixtures for the DynamoDB sync: a fresh table per test on the session's moto server, fault injection at the
HTTP edge (throttling responses as DynamoDB sends them), and a second moto endpoint that can go down and come
back (an outage)."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest
from botocore.awsrequest import AWSResponse

from invoices import aws
from pipeline.sync.dynamodb import ensure_table
from pipeline.sync.items import deserialize


@pytest.fixture
def ddb():
    return aws.client("dynamodb")


@pytest.fixture
def sync_table(settings, ddb) -> Iterator[str]:
    """A new table (as setup_aws makes it) with the sync switched on for it."""
    name = f"invoices-sync-{uuid.uuid4().hex[:10]}"
    ensure_table(client=ddb, table_name=name, kms_key_id=settings.KMS_KEY_ID)
    settings.DYNAMODB_TABLE = name
    settings.SNS_TOPIC_ARN = ""
    settings.OUTBOX_DRAIN_THREADS = 4
    yield name
    ddb.delete_table(TableName=name)


def table_items(client, table: str) -> list[dict]:
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items.extend(deserialize(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["invoiceId"], i["timestamp"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def head_of(client, table: str, invoice_id) -> dict | None:
    raw = client.get_item(TableName=table, Key={"invoiceId": {"S": str(invoice_id)}, "timestamp": {"S": "LATEST"}},
                          ConsistentRead=True).get("Item")
    return deserialize(raw) if raw else None


class Throttle:
    """Answers the first ``n`` matching DynamoDB requests with HTTP 400 ProvisionedThroughputExceededException,
    byte for byte what DynamoDB sends, before they leave the client. botocore's retry logic and ours see a
    real throttling response; nothing above the HTTP layer is replaced."""

    BODY = json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded.",
    }).encode()

    def __init__(self, client, n: int, operation: str = "PutItem"):
        self.client, self.remaining, self.thrown = client, n, 0
        self.event = f"before-send.dynamodb.{operation}"

    def __call__(self, request, **kwargs):
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        self.thrown += 1
        raw = type("Raw", (), {"stream": lambda _self, **kw: iter([self.BODY])})()
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "throttled", "Content-Type":
                                              "application/x-amz-json-1.0"}, raw)

    def install(self) -> Throttle:
        self.client.meta.events.register_first(self.event, self, unique_id=f"throttle-{id(self)}")
        return self

    def remove(self) -> None:
        self.client.meta.events.unregister(self.event, unique_id=f"throttle-{id(self)}")


@pytest.fixture
def throttle(ddb):
    installed: list[Throttle] = []

    def install(n: int, operation: str = "PutItem") -> Throttle:
        t = Throttle(ddb, n, operation).install()
        installed.append(t)
        return t

    yield install
    for t in installed:
        t.remove()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SecondEndpoint:
    """Another moto server in this process: it shares the session server's data (moto's backends are global),
    so stopping it is an outage of the same AWS account, and starting it again is the service coming back."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self) -> SecondEndpoint:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def second_endpoint(settings) -> Iterator[SecondEndpoint]:
    endpoint = SecondEndpoint().start()
    yield endpoint
    endpoint.stop()
