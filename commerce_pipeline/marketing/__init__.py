"""Marketing email: building and sending campaign messages through SendGrid."""
