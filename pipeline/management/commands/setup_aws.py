"""``python manage.py setup_aws``: create or update the buckets, KMS key, S3-drop queue and DynamoDB table."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from invoices import aws
from pipeline.aws_setup import SetupError, setup_aws


class Command(BaseCommand):
    help = ("Create or bring up to date what the deployment needs in AWS (see pipeline/aws_setup.py). "
            "Safe to run again: it changes only what differs.")

    def handle(self, *args, **options):
        try:
            steps = setup_aws(s3=aws.client("s3"), sqs=aws.client("sqs"), kms=aws.client("kms"),
                              dynamodb=aws.client("dynamodb"))
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        for step in steps:
            self.stdout.write(str(step))
        changed = sum(1 for s in steps if s.action in ("created", "updated"))
        self.stdout.write(self.style.SUCCESS(f"Done: {changed} change(s)."))
