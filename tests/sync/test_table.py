"""ensure_table: what setup_aws calls to create or repair the sync table."""

from __future__ import annotations

import json
import uuid

import pytest

from pipeline.sync.dynamodb import TableMismatch, ensure_table


@pytest.fixture
def table_name(ddb):
    name = f"invoices-table-{uuid.uuid4().hex[:8]}"
    yield name
    try:
        ddb.delete_table(TableName=name)
    except ddb.exceptions.ResourceNotFoundException:
        pass


def test_creates_the_table_on_demand_with_pitr_and_kms_encryption(ddb, table_name, settings):
    result = ensure_table(client=ddb, table_name=table_name, kms_key_id=settings.KMS_KEY_ID)

    assert result["created"] is True
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {("invoiceId", "HASH"),
                                                                                ("timestamp", "RANGE")}
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        ("invoiceId", "S"), ("timestamp", "S")}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["SSEType"] == "KMS" and table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["KMSMasterKeyArn"].endswith(settings.KMS_KEY_ID)
    pitr = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert result["point_in_time_recovery"] is True and result["billing_mode"] == "PAY_PER_REQUEST"


def test_is_idempotent(ddb, table_name, settings):
    ensure_table(client=ddb, table_name=table_name, kms_key_id=settings.KMS_KEY_ID)
    again = ensure_table(client=ddb, table_name=table_name, kms_key_id=settings.KMS_KEY_ID)
    assert again["created"] is False and again["changes"] == []


def test_brings_an_existing_table_up_to_date(ddb, table_name, settings):
    # Made by hand: no point-in-time recovery, default (AWS-owned key) encryption.
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "invoiceId", "KeyType": "HASH"}, {"AttributeName": "timestamp", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "invoiceId", "AttributeType": "S"},
                              {"AttributeName": "timestamp", "AttributeType": "S"}],
    )
    # moto accepts UpdateTable's SSESpecification but does not model it, so the request itself is checked.
    sent: list[dict] = []

    def record(request, **kwargs):
        sent.append(json.loads(request.body))

    ddb.meta.events.register("before-send.dynamodb.UpdateTable", record, unique_id="record-update-table")
    try:
        result = ensure_table(client=ddb, table_name=table_name, kms_key_id=settings.KMS_KEY_ID)
    finally:
        ddb.meta.events.unregister("before-send.dynamodb.UpdateTable", unique_id="record-update-table")

    assert result["created"] is False
    assert "point-in-time recovery enabled" in result["changes"]
    assert "encryption set to SSE-KMS" in result["changes"]
    pitr = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert sent == [{"TableName": table_name, "SSESpecification": {
        "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": settings.KMS_KEY_ID}}]


def test_refuses_a_table_with_another_key_schema(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    with pytest.raises(TableMismatch, match="expected invoiceId"):
        ensure_table(client=ddb, table_name=table_name, kms_key_id=None)
