"""Email: the outbox service every message goes through, the sender that delivers it over
SMTP, and the `flask mail` commands."""
