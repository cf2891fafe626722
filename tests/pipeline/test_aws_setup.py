"""``setup_aws`` against the moto server: everything the issue lists, created, verified, and idempotent."""

from __future__ import annotations

import io
import json
import os

import pytest
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command

from invoices import aws
from pipeline.aws_setup import DROP_NOTIFICATION_ID, RETENTION_DAYS, setup_aws

pytestmark = pytest.mark.django_db
PREFIX = os.environ.get("INVOICES_TEST_NAME", "invoices").replace("_", "-")


@pytest.fixture
def fresh(settings, request):
    """Settings naming buckets, a queue and a KMS alias that do not exist yet (unique per test)."""
    tag = request.node.name.rsplit("_", 1)[-1][:8].lower()
    settings.RAW_BUCKET = f"{PREFIX}-setup-{tag}-raw"
    settings.PROCESSED_BUCKET = f"{PREFIX}-setup-{tag}-processed"
    settings.S3_DROP_QUEUE = f"{PREFIX}-setup-{tag}-drop"
    settings.KMS_KEY_ID = f"alias/{PREFIX}-setup-{tag}"
    settings.DYNAMODB_TABLE = ""
    return settings


def run() -> str:
    out = io.StringIO()
    call_command("setup_aws", stdout=out)
    return out.getvalue()


def state(settings) -> dict:
    """Everything setup_aws is responsible for, as AWS describes it."""
    s3, sqs, kms = aws.client("s3"), aws.client("sqs"), aws.client("kms")
    out: dict = {"key": kms.describe_key(KeyId=settings.KMS_KEY_ID)["KeyMetadata"]["Arn"]}
    for bucket in (settings.RAW_BUCKET, settings.PROCESSED_BUCKET):
        out[bucket] = {
            "encryption": s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
            "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
            "public": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
            "ownership": s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"],
            "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"],
        }
    notification = s3.get_bucket_notification_configuration(Bucket=settings.RAW_BUCKET)
    out["notification"] = notification.get("QueueConfigurations")
    url = sqs.get_queue_url(QueueName=settings.S3_DROP_QUEUE)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    out["queue"] = {k: v for k, v in attributes.items() if not k.startswith(("Approximate", "LastModified"))}
    return out


def test_setup_creates_everything_and_a_second_run_changes_nothing(fresh):
    first = run()
    assert f"KMS key {fresh.KMS_KEY_ID}: created" in first
    assert f"bucket {fresh.RAW_BUCKET}: created" in first and f"bucket {fresh.PROCESSED_BUCKET}: created" in first
    assert "no TLS-only policy: the endpoint is plain HTTP" in first
    assert f"SQS queue {fresh.S3_DROP_QUEUE}: created" in first
    assert "notification" in first and "→ SQS: created" in first
    before = state(fresh)

    second = run()
    assert "created" not in second and "updated" not in second, second
    assert "Done: 0 change(s)." in second
    assert state(fresh) == before

    key_arn = before["key"]
    for bucket in (fresh.RAW_BUCKET, fresh.PROCESSED_BUCKET):
        facts = before[bucket]
        assert facts["encryption"]["Rules"] == [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
            "BucketKeyEnabled": True,
        }]
        assert facts["versioning"] == "Enabled"
        assert facts["public"] == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                                   "RestrictPublicBuckets": True}
        assert facts["ownership"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}

    raw_rules = {r["ID"]: r for r in before[fresh.RAW_BUCKET]["lifecycle"]}
    originals = raw_rules["originals-archive-then-expire"]
    assert originals["Filter"] == {"Prefix": "originals/"} and originals["Status"] == "Enabled"
    assert originals["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"},
                                        {"Days": 90, "StorageClass": "GLACIER"},
                                        {"Days": 365, "StorageClass": "DEEP_ARCHIVE"}]
    assert originals["Expiration"] == {"Days": RETENTION_DAYS} and RETENTION_DAYS >= 7 * 365
    assert "Expiration" not in raw_rules["drop-folder-cleanup"]  # files waiting in the drop never expire
    [processed] = before[fresh.PROCESSED_BUCKET]["lifecycle"]
    assert processed["Expiration"] == {"Days": RETENTION_DAYS}

    [notification] = before["notification"]
    assert notification["Id"] == DROP_NOTIFICATION_ID
    assert notification["Events"] == ["s3:ObjectCreated:*"]
    assert notification["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "incoming/"}]
    queue = before["queue"]
    assert notification["QueueArn"] == queue["QueueArn"]
    assert queue["SqsManagedSseEnabled"] == "true" and queue["MessageRetentionPeriod"] == "1209600"
    redrive = json.loads(queue["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(f"{fresh.S3_DROP_QUEUE}-dlq") and redrive["maxReceiveCount"] == 5
    [allow] = json.loads(queue["Policy"])["Statement"]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{fresh.RAW_BUCKET}"}}


def test_setup_puts_back_what_drifted(fresh):
    run()
    s3 = aws.client("s3")
    s3.put_bucket_versioning(Bucket=fresh.RAW_BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket_lifecycle(Bucket=fresh.PROCESSED_BUCKET)
    s3.delete_public_access_block(Bucket=fresh.RAW_BUCKET)
    output = run()
    assert f"bucket {fresh.RAW_BUCKET}: updated (versioning, public access block)" in output
    assert f"bucket {fresh.PROCESSED_BUCKET}: updated (lifecycle rules)" in output
    assert s3.get_bucket_versioning(Bucket=fresh.RAW_BUCKET)["Status"] == "Enabled"
    assert "Done: 0 change(s)." in run()


def test_the_tls_only_policy_refuses_plain_http_and_keeps_what_others_added(fresh):
    s3, sqs, kms = aws.client("s3"), aws.client("sqs"), aws.client("kms")
    setup_aws(s3=s3, sqs=sqs, kms=kms, require_tls=True)  # as against AWS itself
    policy = json.loads(s3.get_bucket_policy(Bucket=fresh.RAW_BUCKET)["Policy"])
    [tls] = policy["Statement"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    with pytest.raises(ClientError, match="403|AccessDenied"):  # moto enforces it: our endpoint is plain HTTP
        s3.put_object(Bucket=fresh.RAW_BUCKET, Key="originals/x.pdf", Body=b"%PDF")

    other = {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{fresh.RAW_BUCKET}/*"}
    s3.put_bucket_policy(Bucket=fresh.RAW_BUCKET, Policy=json.dumps({**policy, "Statement": [other]}))
    steps = setup_aws(s3=s3, sqs=sqs, kms=kms, require_tls=True)
    assert f"bucket {fresh.RAW_BUCKET}: updated (TLS-only policy)" in [str(s) for s in steps]
    sids = [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=fresh.RAW_BUCKET)["Policy"])["Statement"]]
    assert sids == ["AuditorsRead", "DenyInsecureTransport"]


def test_setup_names_what_is_missing(settings):
    settings.RAW_BUCKET = ""
    with pytest.raises(CommandError, match="Set RAW_BUCKET and PROCESSED_BUCKET"):
        run()


def test_setup_creates_the_dynamodb_table_when_one_is_named(fresh):
    fresh.DYNAMODB_TABLE = f"{PREFIX}-setup-table"
    output = run()
    try:
        import pipeline.sync.dynamodb  # noqa: F401  (the sync helper's module)
    except ImportError:
        assert "ensure_table is not installed in this version" in output
        pytest.skip("pipeline.sync.dynamodb.ensure_table has not landed yet")
    table = aws.client("dynamodb").describe_table(TableName=fresh.DYNAMODB_TABLE)["Table"]
    assert {k["AttributeName"] for k in table["KeySchema"]} == {"invoiceId", "timestamp"}
    assert "Done: 0 change(s)." in run()
