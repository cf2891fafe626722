"""Notifications: emails to the right people, and every state change as an SNS event for other systems.

Email (Django's email framework: console in ``make run``, SMTP or Amazon SES in production, locmem in tests):

* **Review digest** — one email per ``NOTIFY_DIGEST_MINUTES`` to each person who reviews (invoices newly in
  *needs review*) or approves (invoices newly *ready to approve*), never one email per invoice.
* **Processing failed** — to the uploader and to administrators (those who may reprocess), with the reason and a
  link.
* **Approved / rejected** — to the uploader (auto-approval included), with the rejection reason.

Each person chooses what they receive (:class:`pipeline.models.NotificationPreference`, page
``/account/notifications/``). Notices are planned from the transactional outbox exactly once per event
(:class:`pipeline.models.NotifiedEvent`): promptly through the hooks after commit, and by a backstop pass over the
outbox every minute, so a lost hook or a worker that was down loses no email. Every email is a
:class:`pipeline.models.Notification` row, rendered once and sent by its own task outside any pipeline
transaction; a failed send is retried with backoff up to ``NOTIFY_MAX_ATTEMPTS`` and stays visible in the admin
(with a "send again" action). While the mail server is failing, new emails wait for the retry pass instead of each
spending a timeout on it, so a broken mail server never slows the pipeline.

SNS: see :mod:`pipeline.notify.sns`; the outbox drainer publishes.
"""
