"""What the audience step reads from a tenant's warehouse, and how its reasons group."""

# Every scored profile with its email, consent, segment and churn probability (Customer 360),
# and a first name for the greeting: the most recently updated customer record's that has one.
AUDIENCE_SQL = """
select
    c360.profile_id,
    c360.primary_email as email,
    c360.marketing_consent,
    c360.segment,
    c360.churn_probability,
    (select customers.first_name
       from profile_members as members
       join stg_shopify__customers as customers on customers.source_customer_key = members.source_key
      where members.profile_id = c360.profile_id and customers.first_name is not null
      order by customers.updated_at desc, customers.source_customer_key
      limit 1) as first_name
from customer_360 as c360
where c360.segment is not null
"""

# Reason texts (campaigns.select_recipients) -> the rule that decided, for counting.
# Order matters: the more specific texts that also contain "email" come before it.
_RULES = (("not targeted", "not_targeted"), ("consent", "no_consent"), ("email already chosen", "shared_inbox"),
          ("marketing email", "frequency_cap"), ("suppressed", "suppressed"), ("cooldown", "cooldown"),
          ("email", "invalid_email"))


def rule_of(reason: str) -> str:
    text = (reason or "").lower()
    return next((rule for needle, rule in _RULES if needle in text), "send")
