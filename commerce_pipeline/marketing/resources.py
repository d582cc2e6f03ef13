"""The SendGrid connection: a key means send; no key means a dry run into the outbox."""

from dagster import ConfigurableResource
from pydantic import Field

from commerce_pipeline.settings import get_settings


class SendGridResource(ConfigurableResource):
    api_key: str | None = Field(default=None, description="default: SENDGRID_API_KEY; none = dry run")
    api_host: str | None = Field(default=None, description="default: SENDGRID_API_HOST or SendGrid's")
    batch_size: int = Field(default=1000, ge=1, le=1000, description="recipients per Mail Send request")
    max_attempts: int = Field(default=5, ge=1, description="tries per request on 429, 5xx and network errors")
    backoff_base_seconds: float = Field(default=0.5, description="first retry delay; doubles per try")

    def sender(self):
        """A SendGridSender, or None for a dry run (no API key configured anywhere)."""
        from commerce_pipeline.marketing.sender import SendGridSender

        settings = get_settings()
        key = self.api_key or settings.sendgrid_api_key
        if not key:
            return None
        return SendGridSender(key, self.api_host or settings.sendgrid_api_host,
                              max_attempts=self.max_attempts, backoff_base=self.backoff_base_seconds)
