from pathlib import Path

from tests.sync.conftest import ddb, sync_table  # noqa: F401  (the SNS tests also run with a DynamoDB table)

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "emails"


def save_email(name: str, message) -> None:
    """Keep a rendered email (HTML and text) as a test artifact, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.txt").write_text(f"Subject: {message.subject}\nTo: {', '.join(message.to)}\n\n{message.body}")
    if message.alternatives:
        (ARTIFACTS / f"{name}.html").write_text(message.alternatives[0][0])
