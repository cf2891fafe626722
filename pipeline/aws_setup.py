"""What a deployment needs in AWS, created or brought up to date: ``python manage.py setup_aws``. Idempotent.

- The KMS key (KMS_KEY_ID; an alias that does not exist yet is created with a new key).
- The raw and processed buckets: default encryption with that key (bucket keys on), versioning, every kind of
  public access blocked, ACLs disabled, TLS required, and lifecycle rules. Raw originals move to Standard-IA
  after 30 days, Glacier after 90 and Deep Archive after 365, and expire after 7 years; processed results and
  page images expire with them; earlier versions and unfinished uploads are cleaned up.
- The S3-drop queue (S3_DROP_QUEUE) with its dead-letter queue, a policy that lets only the raw bucket send to
  it, and the raw bucket's ObjectCreated notification for ``incoming/`` (S3_DROP_PREFIX).
- The DynamoDB table (DYNAMODB_TABLE), through ``pipeline.sync.dynamodb.ensure_table``.

Every call states the whole wanted configuration, so running it again changes nothing; each line it reports
says what it found and did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings

RETENTION_DAYS = 7 * 365 + 2  # seven years, leap days included
DROP_NOTIFICATION_ID = "invoices-s3-drop"
DROP_QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "300",  # a file's intake must finish within it, or another consumer gets the message
    "MessageRetentionPeriod": "1209600",  # 14 days, the most SQS keeps
    "ReceiveMessageWaitTimeSeconds": "20",  # long polling
    "SqsManagedSseEnabled": "true",  # encrypted at rest with a key S3 notifications may use
}
DLQ_MAX_RECEIVES = 5


class SetupError(Exception):
    """Something setup cannot fix by itself; the message says what to do."""


@dataclass(slots=True)
class Step:
    what: str
    action: str  # created | updated | unchanged | skipped
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.what}: {self.action}" + (f" ({self.detail})" if self.detail else "")


def raw_lifecycle(drop_prefix: str) -> list[dict[str, Any]]:
    rules = [
        {
            "ID": "originals-archive-then-expire",
            "Filter": {"Prefix": "originals/"},
            "Status": "Enabled",
            "Transitions": [
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 90, "StorageClass": "GLACIER"},
                {"Days": 365, "StorageClass": "DEEP_ARCHIVE"},
            ],
            "Expiration": {"Days": RETENTION_DAYS},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
        {
            "ID": "rejected-drops-expire",
            "Filter": {"Prefix": "rejected/"},
            "Status": "Enabled",
            "Expiration": {"Days": 90},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        },
    ]
    if drop_prefix:
        # Files waiting in the drop folder never expire (nothing dropped is lost); taken-in copies do.
        rules.append({
            "ID": "drop-folder-cleanup",
            "Filter": {"Prefix": drop_prefix},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        })
    return rules


def processed_lifecycle() -> list[dict[str, Any]]:
    return [{
        "ID": "processed-expire-with-originals",
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "Expiration": {"Days": RETENTION_DAYS},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }]


def setup_aws(*, s3, sqs, kms, dynamodb=None, require_tls: bool | None = None) -> list[Step]:
    """Create or update everything; ``require_tls`` defaults to on unless the endpoint itself is plain HTTP
    (an S3-compatible server in a lab or a moto server in tests), which a TLS-only policy would lock out."""
    if require_tls is None:
        require_tls = not (settings.AWS_ENDPOINT_URL or "").startswith("http://")
    raw, processed = settings.RAW_BUCKET, settings.PROCESSED_BUCKET
    if not raw or not processed:
        raise SetupError("Set RAW_BUCKET and PROCESSED_BUCKET (and AWS credentials) first. Without them the "
                         "product keeps files in local folders and needs nothing in AWS.")
    steps: list[Step] = []
    key_arn = _ensure_kms_key(kms, settings.KMS_KEY_ID, steps)
    for bucket, lifecycle in ((raw, raw_lifecycle(settings.S3_DROP_PREFIX if settings.S3_DROP_QUEUE else "")),
                              (processed, processed_lifecycle())):
        _ensure_bucket(s3, bucket, key_arn, lifecycle, steps, require_tls=require_tls)
    if settings.S3_DROP_QUEUE:
        queue_arn = _ensure_drop_queue(sqs, settings.S3_DROP_QUEUE, raw, steps)
        _ensure_notification(s3, raw, queue_arn, settings.S3_DROP_PREFIX, steps)
    else:
        steps.append(Step("S3 drop queue", "skipped", "S3_DROP_QUEUE is not set"))
    _ensure_dynamodb_table(dynamodb, key_arn, steps)
    return steps


# --- KMS ---------------------------------------------------------------------------------------------------
def _ensure_kms_key(kms, key_id: str, steps: list[Step]) -> str | None:
    if not key_id:
        steps.append(Step("KMS key", "skipped", "KMS_KEY_ID is not set: the buckets use the AWS-managed aws/s3 key"))
        return None
    try:
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as exc:
        if _code(exc) != "NotFoundException" or not key_id.startswith("alias/"):
            raise SetupError(f"The KMS key {key_id} cannot be used ({_code(exc)}). Set KMS_KEY_ID to a key this "
                             "account may use, or to a new alias/... to have one created.") from exc
        metadata = kms.create_key(Description=f"Invoices: files and records ({key_id})",
                                  KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
        kms.create_alias(AliasName=key_id, TargetKeyId=metadata["KeyId"])
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
        steps.append(Step(f"KMS key {key_id}", "created", "yearly rotation on"))
        return metadata["Arn"]
    if metadata.get("KeyState") not in (None, "Enabled"):
        raise SetupError(f"The KMS key {key_id} is {metadata['KeyState']}; enable it or choose another.")
    steps.append(Step(f"KMS key {key_id}", "unchanged"))
    return metadata["Arn"]


# --- buckets -----------------------------------------------------------------------------------------------
def _ensure_bucket(s3, bucket: str, key_arn: str | None, lifecycle: list[dict[str, Any]], steps: list[Step], *,
                   require_tls: bool) -> None:
    created = False
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise SetupError(f"The bucket {bucket} exists but this account cannot use it ({_code(exc)}); "
                             "bucket names are global: choose another name.") from exc
        options: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if settings.AWS_REGION != "us-east-1":
            options["CreateBucketConfiguration"] = {"LocationConstraint": settings.AWS_REGION}
        s3.create_bucket(**options)
        created = True

    changed: list[str] = []
    default = {"SSEAlgorithm": "aws:kms", **({"KMSMasterKeyID": key_arn} if key_arn else {})}
    encryption = {"Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]}
    current = _get(lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"])
    if current != encryption:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption)
        changed.append("encryption")
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        changed.append("versioning")
    block = {name: True for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                     "RestrictPublicBuckets")}
    if _get(lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]) != block:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        changed.append("public access block")
    ownership = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    if _get(lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]) != ownership:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=ownership)
        changed.append("ACLs disabled")
    if require_tls and _ensure_tls_policy(s3, bucket):
        changed.append("TLS-only policy")
    if _get(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) != lifecycle:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": lifecycle})
        changed.append("lifecycle rules")
    action = "created" if created else ("updated" if changed else "unchanged")
    detail = ("encrypted with " + ("the KMS key" if key_arn else "aws/s3") + ", versioned, private, lifecycle set"
              + ("" if require_tls else "; no TLS-only policy: the endpoint is plain HTTP"))
    steps.append(Step(f"bucket {bucket}", action, detail if created else ", ".join(changed)))


def _ensure_tls_policy(s3, bucket: str) -> bool:
    """Deny any request not made over TLS, keeping statements others added to the policy."""
    statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    text = _get(lambda: s3.get_bucket_policy(Bucket=bucket)["Policy"])
    policy = json.loads(text) if text else {"Version": "2012-10-17", "Statement": []}
    others = [s for s in policy.get("Statement", []) if s.get("Sid") != statement["Sid"]]
    if statement in policy.get("Statement", []):
        return False
    policy["Statement"] = [*others, statement]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return True


# --- the S3 drop: queue and notification ----------------------------------------------------------------------
def _ensure_drop_queue(sqs, name: str, bucket: str, steps: list[Step]) -> str:
    dlq_url, dlq_created = _queue(sqs, f"{name}-dlq", {"MessageRetentionPeriod": "1209600",
                                                       "SqsManagedSseEnabled": "true"})
    dlq_arn = _queue_arn(sqs, dlq_url)
    steps.append(Step(f"SQS queue {name}-dlq", "created" if dlq_created else "unchanged",
                      "dead letters of the S3 drop"))
    url, created = _queue(sqs, name, {})
    arn = _queue_arn(sqs, url)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "S3DropNotifications",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
        }],
    }
    wanted = {
        **DROP_QUEUE_ATTRIBUTES,
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": DLQ_MAX_RECEIVES}),
        "Policy": json.dumps(policy),
    }
    current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    different = {k: v for k, v in wanted.items() if not _same_attribute(k, current.get(k), v)}
    if different:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=different)
    action = "created" if created else ("updated" if different else "unchanged")
    steps.append(Step(f"SQS queue {name}", action, ", ".join(sorted(different)) if action == "updated" else ""))
    return arn


def _queue(sqs, name: str, attributes: dict[str, str]) -> tuple[str, bool]:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"], False
    except ClientError as exc:
        if "NonExistentQueue" not in _code(exc) and _code(exc) != "QueueDoesNotExist":
            raise
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"], True


def _queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _same_attribute(name: str, current: str | None, wanted: str) -> bool:
    if current is None:
        return False
    if name in ("Policy", "RedrivePolicy"):
        try:
            return json.loads(current) == json.loads(wanted)
        except ValueError:
            return False
    return str(current).lower() == str(wanted).lower()


def _ensure_notification(s3, bucket: str, queue_arn: str, prefix: str, steps: list[Step]) -> None:
    ours = {
        "Id": DROP_NOTIFICATION_ID,
        "QueueArn": queue_arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
    }
    current = s3.get_bucket_notification_configuration(Bucket=bucket)
    current.pop("ResponseMetadata", None)
    queues = current.get("QueueConfigurations", [])
    existing = next((q for q in queues if q.get("Id") == DROP_NOTIFICATION_ID), None)
    if existing is not None and _normal_notification(existing) == _normal_notification(ours):
        steps.append(Step(f"notification {bucket}/{prefix}* → SQS", "unchanged"))
        return
    current["QueueConfigurations"] = [*(q for q in queues if q.get("Id") != DROP_NOTIFICATION_ID), ours]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=current)
    steps.append(Step(f"notification {bucket}/{prefix}* → SQS", "updated" if existing else "created"))


def _normal_notification(config: dict[str, Any]) -> tuple:
    rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return (config.get("QueueArn"), tuple(sorted(config.get("Events", []))),
            tuple(sorted((r["Name"].lower(), r["Value"]) for r in rules)))


# --- DynamoDB (the sync helper's table) -------------------------------------------------------------------------
def _ensure_dynamodb_table(dynamodb, key_arn: str | None, steps: list[Step]) -> None:
    table = getattr(settings, "DYNAMODB_TABLE", "")
    if not table:
        steps.append(Step("DynamoDB table", "skipped", "DYNAMODB_TABLE is not set"))
        return
    try:
        from pipeline.sync.dynamodb import ensure_table
    except ImportError:
        steps.append(Step(f"DynamoDB table {table}", "skipped",
                          "pipeline.sync.dynamodb.ensure_table is not installed in this version"))
        return
    result = ensure_table(client=dynamodb, table_name=table, kms_key_id=key_arn) or {}
    changes = [str(c) for c in result.get("changes") or []]
    action = "created" if result.get("created") else ("updated" if changes else "unchanged")
    steps.append(Step(f"DynamoDB table {table}", action, ", ".join(changes) if action == "updated" else ""))


def _get(call):
    """The value a get_* call returns, or None where the configuration does not exist yet."""
    try:
        return call()
    except ClientError as exc:
        if _code(exc).startswith(("NoSuch", "ServerSideEncryptionConfigurationNotFound", "OwnershipControlsNotFound")):
            return None
        raise


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
