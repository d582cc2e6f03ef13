"""What the audience step reads from a tenant's warehouse, how its reasons group, and the rows
it writes back."""

import pandas as pd

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


def warehouse_rows(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as dicts of Python values, a missing one (NaN, None) as None: what
    frame.astype(object).where(frame.notna(), None).to_dict("records") gives, built column by
    column rather than value by value."""
    names = list(frame.columns)  # a plain list: zipping the Index itself, row by row, is slow
    columns = [frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
