"""The REST API for integrations (Django REST framework): token or session auth, the review roles, RFC 9457
problem details for every error, ETag/If-Match optimistic locking, Idempotency-Key for uploads, cursor pages.

Docs: /api/docs/ (Swagger UI) and /api/redoc/, both served from this server (no internet needed);
schema: /api/schema/.
"""
