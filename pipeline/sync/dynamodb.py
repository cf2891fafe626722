"""The DynamoDB side: creating the table, and the conditional writes that keep it right under replays and races.

Clients come from ``invoices.aws``; every function here receives one, so tests and commands choose the endpoint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .items import HEAD, Change, head_item, key_of, serialize, version_item

logger = logging.getLogger(__name__)

WRITTEN = "written"  # version item and head written
STALE = "stale"  # a newer version is the head already: version item written alone, head untouched
ALREADY = "already"  # this version's item exists (a replay): nothing written

# Errors that concern one item only: the rest of a batch may still go through. Everything else (no connection,
# throttling after botocore's retries, server errors, a missing table, bad credentials) concerns the whole
# service, so a drain stops at the first one and backs off instead of failing every event in turn.
ITEM_ERROR_CODES = frozenset(
    {"ValidationException", "ItemCollectionSizeLimitExceededException", "ConditionalCheckFailedException"}
)
THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "Throttling",
     "TooManyRequestsException"}
)


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "") or "ClientError"
    return type(exc).__name__


def is_systemic(exc: BaseException) -> bool:
    """Whether an error means the service as a whole is unavailable right now (stop the batch, back off)."""
    if isinstance(exc, ClientError):
        return error_code(exc) not in ITEM_ERROR_CODES
    return isinstance(exc, BotoCoreError | OSError)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'ClientError')}: {error.get('Message', '')}".strip()[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


# --- the table ---------------------------------------------------------------------------------------------------
KEY_SCHEMA = [{"AttributeName": "invoiceId", "KeyType": "HASH"}, {"AttributeName": "timestamp", "KeyType": "RANGE"}]
ATTRIBUTES = [{"AttributeName": "invoiceId", "AttributeType": "S"},
              {"AttributeName": "timestamp", "AttributeType": "S"}]


class TableMismatch(Exception):
    """An existing table has another key schema; it cannot be changed in place."""


def _sse_spec(kms_key_id: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
    if kms_key_id:
        spec["KMSMasterKeyId"] = kms_key_id
    return spec


def _same_key(current_arn: str, wanted: str) -> bool:
    """Whether the table's key ARN is the wanted key. An alias cannot be resolved without KMS: trust it."""
    if not wanted or wanted.startswith("alias/") or current_arn == wanted:
        return True
    return current_arn.endswith(wanted) or wanted.endswith(current_arn)


def ensure_table(*, client, table_name: str, kms_key_id: str | None) -> dict[str, Any]:
    """Create or bring up to date the sync table: on-demand capacity, point-in-time recovery, SSE with the KMS key.

    Idempotent: a second call changes nothing and says so. Returns what it found and did:
    ``{"table", "arn", "created", "changes", "billing_mode", "point_in_time_recovery", "sse"}``. An existing
    table keeps its billing mode (provisioned with auto-scaling is a valid choice), but a wrong key schema raises
    :class:`TableMismatch`.
    """
    changes: list[str] = []
    created = False
    try:
        table = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        table = client.create_table(
            TableName=table_name,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTES,
            BillingMode="PAY_PER_REQUEST",
            SSESpecification=_sse_spec(kms_key_id),
            Tags=[{"Key": "app", "Value": "invoices"}],
        )["TableDescription"]
        created = True
        changes.append("created table (on-demand, SSE-KMS)")
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        table = client.describe_table(TableName=table_name)["Table"]

    schema = sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"])
    if schema != sorted((k["AttributeName"], k["KeyType"]) for k in KEY_SCHEMA):
        raise TableMismatch(f"Table {table_name} has key schema {schema}; expected invoiceId (HASH), timestamp (RANGE).")

    sse = table.get("SSEDescription") or {}
    if not created and (
        sse.get("Status") not in ("ENABLED", "ENABLING", "UPDATING")
        or sse.get("SSEType") != "KMS"
        or not _same_key(sse.get("KMSMasterKeyArn", ""), kms_key_id or "")
    ):
        _wait_active(client, table_name)
        client.update_table(TableName=table_name, SSESpecification=_sse_spec(kms_key_id))
        changes.append("encryption set to SSE-KMS")
        table = client.describe_table(TableName=table_name)["Table"]

    backups = client.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if pitr != "ENABLED":
        client.update_continuous_backups(
            TableName=table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        changes.append("point-in-time recovery enabled")
        pitr = "ENABLED"

    billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    logger.info("dynamodb table ensured", extra={"table": table_name, "created": created, "changes": changes})
    return {
        "table": table_name,
        "arn": table.get("TableArn", ""),
        "created": created,
        "changes": changes,
        "billing_mode": billing,
        "point_in_time_recovery": pitr == "ENABLED",
        "sse": {"type": (table.get("SSEDescription") or {}).get("SSEType"),
                "key": (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")},
    }


def _wait_active(client, table_name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while client.describe_table(TableName=table_name)["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {table_name} did not become ACTIVE")
        time.sleep(1)


# --- writes ------------------------------------------------------------------------------------------------------
_NEW = "attribute_not_exists(invoiceId)"
_NEWER = "attribute_not_exists(invoiceId) OR #version < :version"


def put_version_item(*, client, table_name: str, change: Change) -> bool:
    """Write the immutable history item of one version. True if written, False if it was there (a replay)."""
    try:
        client.put_item(TableName=table_name, Item=serialize(version_item(change)), ConditionExpression=_NEW)
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def put_head(*, client, table_name: str, change: Change) -> bool:
    """Make ``change`` the invoice's head if it is newer than the head. True if the head moved."""
    try:
        client.put_item(
            TableName=table_name,
            Item=serialize(head_item(version_item(change))),
            ConditionExpression=_NEWER,
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":version": {"N": str(change.version)}},
        )
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False  # the head shows this version or a newer one already
        raise
    return True


def outcome(*, version_written: bool, head_moved: bool) -> str:
    if not version_written:
        return ALREADY
    return WRITTEN if head_moved else STALE


def write_change(*, client, table_name: str, change: Change) -> str:
    """Write one version: its history item, then the head if it is the newest so far. Returns WRITTEN/STALE/ALREADY.

    Safe to call any number of times, in any order, from any number of drainers. The head is put even when the
    version item existed, so a drainer that died between the two writes is repaired by the retry.
    """
    written = put_version_item(client=client, table_name=table_name, change=change)
    moved = put_head(client=client, table_name=table_name, change=change)
    return outcome(version_written=written, head_moved=moved)


def put_head_if_not_older(*, client, table_name: str, change: Change) -> bool:
    """Repair the head from ``change`` unless the table holds a newer version already. Returns whether it wrote."""
    try:
        client.put_item(
            TableName=table_name,
            Item=serialize(head_item(version_item(change))),
            ConditionExpression="attribute_not_exists(invoiceId) OR #version <= :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":version": {"N": str(change.version)}},
        )
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def put_version(*, client, table_name: str, change: Change) -> None:
    """Restore a version item exactly (reconcile --fix): its content derives from the immutable outbox row."""
    client.put_item(TableName=table_name, Item=serialize(version_item(change)))


# --- reads -------------------------------------------------------------------------------------------------------
def batch_get(*, client, table_name: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Fetch items by (invoiceId, timestamp), 100 per request, retrying unprocessed keys. Raw attribute values."""
    found: dict[tuple[str, str], dict] = {}
    pending = list(dict.fromkeys(keys))
    for start in range(0, len(pending), 100):
        request = {table_name: {"Keys": [key_of(i, t) for i, t in pending[start:start + 100]], "ConsistentRead": True}}
        delay = 0.05
        while request:
            response = client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table_name, []):
                found[(raw["invoiceId"]["S"], raw["timestamp"]["S"])] = raw
            request = response.get("UnprocessedKeys") or {}
            if request:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
    return found


def query_invoice(*, client, table_name: str, invoice_id: str) -> list[dict]:
    """Every item of one invoice, oldest first, head last (raw attribute values)."""
    items: list[dict] = []
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "invoiceId = :id",
        "ExpressionAttributeValues": {":id": {"S": invoice_id}},
        "ConsistentRead": True,
    }
    while True:
        response = client.query(**kwargs)
        items.extend(response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


__all__ = [
    "ALREADY",
    "HEAD",
    "STALE",
    "WRITTEN",
    "TableMismatch",
    "batch_get",
    "describe_error",
    "ensure_table",
    "error_code",
    "is_systemic",
    "outcome",
    "put_head",
    "put_head_if_not_older",
    "put_version",
    "put_version_item",
    "query_invoice",
    "write_change",
]
