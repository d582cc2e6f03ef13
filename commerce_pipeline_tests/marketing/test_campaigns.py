"""Campaign settings and recipient selection: every rule, its order and its reason text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from commerce_pipeline.marketing.campaigns import (
    RECIPIENT_COLUMNS,
    CampaignSettings,
    CampaignSettingsStore,
    InvalidCampaignSetting,
    campaign_for,
    period_key,
    select_recipients,
)

TODAY = date(2026, 5, 20)
SETTINGS = CampaignSettings()


def customer(profile_id: str = "p_1", **overrides) -> dict:
    row = {"profile_id": profile_id, "email": f"{profile_id}@example.com", "first_name": "Ann",
           "marketing_consent": True, "segment": "Champions", "churn_probability": 0.1}
    return {**row, **overrides}


def sent(profile_id: str, email: str, campaign: str, day: date) -> dict:
    return {"profile_id": profile_id, "email": email, "campaign": campaign,
            "sent_at": datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)}


def select(*customers: dict, history: list[dict] = (), suppressed: dict | None = None,
           settings: CampaignSettings = SETTINGS) -> dict[str, dict]:
    frame = select_recipients(pd.DataFrame(list(customers)), settings, suppressed or {},
                              pd.DataFrame(list(history)), TODAY)
    return {row["profile_id"]: row for row in frame.to_dict("records")}


# -- targeting --------------------------------------------------------------------------------
def test_a_vip_segment_is_sent_the_vip_reward_for_the_current_period():
    row = select(customer(segment="Champions"))["p_1"]
    assert (row["campaign"], row["decision"]) == ("vip_reward", "send")
    assert row["reason"] == "segment Champions: vip_reward"
    assert row["period"] == "vip_reward/2026-05-07/60d"
    assert row["email"] == "p_1@example.com" and row["first_name"] == "Ann"


def test_a_winback_segment_gets_win_back():
    assert campaign_for("Lost", None, SETTINGS) == ("win_back", "segment Lost")
    assert campaign_for("Can't Lose Them", 0.1, SETTINGS) == ("win_back", "segment Can't Lose Them")


def test_a_churn_probability_at_or_above_the_threshold_wins_over_a_vip_segment():
    assert campaign_for("Champions", 0.82, SETTINGS) == ("win_back", "churn probability 0.82 >= 0.70")
    assert campaign_for("Champions", 0.7, SETTINGS) == ("win_back", "churn probability 0.70 >= 0.70")
    assert campaign_for("Champions", 0.69, SETTINGS) == ("vip_reward", "segment Champions")


def test_the_churn_threshold_is_a_per_tenant_setting():
    assert campaign_for("New", 0.82, CampaignSettings(winback_churn_probability=0.9)) == (
        None, "segment New is not targeted (churn probability 0.82 < 0.90)")


def test_an_untargeted_customer_is_skipped_with_the_segment_named():
    assert campaign_for("New", None, SETTINGS) == (None, "segment New is not targeted")
    assert campaign_for(None, float("nan"), SETTINGS) == (None, "segment (none) is not targeted")
    row = select(customer(segment="New", churn_probability=0.3))["p_1"]
    assert row["decision"] == "skip" and row["campaign"] is None and row["period"] is None
    assert row["reason"] == "segment New is not targeted (churn probability 0.30 < 0.70)"


def test_rounding_never_hides_which_side_of_the_threshold_a_probability_is():
    assert campaign_for("New", 0.699, SETTINGS) == (
        None, "segment New is not targeted (churn probability 0.699 < 0.7)")


# -- consent, address, suppression ------------------------------------------------------------
@pytest.mark.parametrize(("consent", "reason"), [
    (False, "no marketing consent"),
    (None, "no marketing consent (not recorded)"),
    ("yes", "no marketing consent (unreadable value 'yes')"),
])
def test_no_marketing_consent_is_skipped(consent, reason):
    row = select(customer(marketing_consent=consent))["p_1"]
    assert (row["decision"], row["reason"]) == ("skip", reason)


@pytest.mark.parametrize(("email", "reason"), [
    (None, "missing email"),
    ("   ", "missing email"),
    ("ann at example.com", "invalid email 'ann at example.com'"),
    ("ann@example", "invalid email 'ann@example'"),
    ("ann@@example.com", "invalid email 'ann@@example.com'"),
    ("Ann <ann@example.com>", "invalid email 'Ann <ann@example.com>'"),
])
def test_a_missing_or_invalid_email_is_skipped(email, reason):
    row = select(customer(email=email))["p_1"]
    assert (row["decision"], row["reason"]) == ("skip", reason)


def test_an_email_is_trimmed_and_lower_cased():
    assert select(customer(email="  Ann@Example.COM "))["p_1"]["email"] == "ann@example.com"


def test_a_suppression_wins_even_for_a_vip_and_names_its_reason():
    row = select(customer(email="Ann@Example.com", segment="Champions"),
                 suppressed={" ann@example.COM": "unsubscribe"})["p_1"]
    assert (row["campaign"], row["decision"]) == ("vip_reward", "skip")
    assert row["reason"] == "suppressed (unsubscribe)"


def test_the_first_failing_rule_is_the_reason():
    blocked = {"p_1@example.com": "bounce"}
    old = [sent("p_1", "p_1@example.com", "vip_reward", TODAY - timedelta(days=1))]
    steps = [
        (customer(segment="New", marketing_consent=False, email=None),
         "segment New is not targeted (churn probability 0.10 < 0.70)"),
        (customer(marketing_consent=False, email=None), "no marketing consent"),
        (customer(email=None), "missing email"),
        (customer(), "suppressed (bounce)"),
    ]
    for row, reason in steps:
        assert select(row, suppressed=blocked, history=old)["p_1"]["reason"] == reason
    assert select(customer(), history=old)["p_1"]["reason"] == (
        "vip_reward sent 2026-05-19, within the 60-day cooldown")


# -- cooldown and frequency cap ---------------------------------------------------------------
def test_the_same_campaign_within_its_cooldown_is_skipped():
    history = [sent("p_1", "p_1@example.com", "win_back", date(2026, 5, 1))]
    row = select(customer(segment="Lost"), history=history)["p_1"]
    assert (row["decision"], row["reason"]) == ("skip", "win_back sent 2026-05-01, within the 45-day cooldown")


def test_the_cooldown_ends_exactly_cooldown_days_after_the_send():
    def reason(day: date) -> str:
        history = [sent("p_1", "x@example.com", "win_back", day)]
        return select(customer(segment="Lost"), history=history)["p_1"]["reason"]
    assert reason(TODAY - timedelta(days=44)) == "win_back sent 2026-04-06, within the 45-day cooldown"
    assert reason(TODAY - timedelta(days=45)) == "segment Lost: win_back"


def test_the_cooldown_also_follows_the_email_address_of_another_profile():
    history = [sent("p_old", " P_1@EXAMPLE.com", "win_back", date(2026, 5, 1))]
    row = select(customer(segment="Lost"), history=history)["p_1"]
    assert row["reason"] == "win_back sent 2026-05-01, within the 45-day cooldown"


def test_a_vip_sent_10_days_ago_can_still_get_win_back_within_the_frequency_cap():
    history = [sent("p_1", "p_1@example.com", "vip_reward", TODAY - timedelta(days=10))]
    assert select(customer(segment="Lost"), history=history)["p_1"]["reason"] == "segment Lost: win_back"
    capped = select(customer(segment="Lost"), history=history,
                    settings=CampaignSettings(max_emails_per_period=1))
    assert capped["p_1"]["reason"] == "1 marketing email in the last 30 days (cap 1)"


def test_the_frequency_cap_counts_every_campaign_by_profile_or_by_email():
    history = [sent("p_1", "old@example.com", "vip_reward", date(2026, 5, 10)),
               sent("p_other", "P_1@example.com", "vip_reward", date(2026, 4, 25)),
               sent("p_other", "someone@example.com", "win_back", date(2026, 5, 15))]  # neither
    row = select(customer(segment="Lost"), history=history)["p_1"]
    assert (row["decision"], row["reason"]) == ("skip", "2 marketing emails in the last 30 days (cap 2)")


def test_sends_older_than_the_frequency_period_do_not_count():
    history = [sent("p_1", "p_1@example.com", "vip_reward", TODAY - timedelta(days=30)),
               sent("p_1", "p_1@example.com", "vip_reward", TODAY - timedelta(days=29))]
    assert select(customer(segment="Lost"), history=history)["p_1"]["decision"] == "send"


def test_history_times_are_compared_as_utc_days():
    evening_in_new_york = pd.Timestamp("2026-04-05 20:30", tz="America/New_York")  # 2026-04-06 UTC
    history = [{"profile_id": "p_1", "email": "p_1@example.com", "campaign": "win_back",
                "sent_at": evening_in_new_york}]
    assert select(customer(segment="Lost"), history=history)["p_1"]["reason"] == (
        "win_back sent 2026-04-06, within the 45-day cooldown")


# -- one inbox, one copy; determinism ---------------------------------------------------------
def test_two_profiles_sharing_an_inbox_get_one_email_the_first_by_profile_id():
    rows = select(customer("p_b", email="Home@Example.com"), customer("p_a", email="home@example.com "))
    assert (rows["p_a"]["decision"], rows["p_a"]["reason"]) == ("send", "segment Champions: vip_reward")
    assert (rows["p_b"]["decision"], rows["p_b"]["reason"]) == ("skip", "email already chosen for profile p_a")


def test_a_shared_inbox_goes_to_the_first_profile_that_may_receive_it():
    rows = select(customer("p_a", email="home@example.com", marketing_consent=False),
                  customer("p_b", email="home@example.com"))
    assert (rows["p_a"]["reason"], rows["p_b"]["decision"]) == ("no marketing consent", "send")


def test_the_output_is_one_row_per_customer_sorted_by_profile_id_whatever_the_input_order():
    people = [customer("p_c", segment="Lost"), customer("p_a"), customer("p_b", segment="New")]
    first = select_recipients(pd.DataFrame(people), SETTINGS, {}, pd.DataFrame(), TODAY)
    second = select_recipients(pd.DataFrame(people[::-1]), SETTINGS, {}, pd.DataFrame(), TODAY)
    assert list(first.columns) == list(RECIPIENT_COLUMNS)
    assert first["profile_id"].tolist() == ["p_a", "p_b", "p_c"]
    pd.testing.assert_frame_equal(first, second)


def test_a_profile_listed_twice_is_refused():
    with pytest.raises(ValueError, match="profile p_1 more than once"):
        select(customer("p_1"), customer("p_1"))


# -- periods ----------------------------------------------------------------------------------
def test_period_key_counts_whole_cooldowns_from_1970():
    assert period_key("win_back", date(1970, 2, 14), SETTINGS) == "win_back/1970-01-01/45d"
    assert period_key("win_back", date(1970, 2, 15), SETTINGS) == "win_back/1970-02-15/45d"
    assert period_key("vip_reward", date(1970, 3, 1), SETTINGS) == "vip_reward/1970-01-01/60d"
    assert period_key("vip_reward", date(1970, 3, 2), SETTINGS) == "vip_reward/1970-03-02/60d"


def test_period_key_changes_exactly_at_a_period_boundary_today():
    assert period_key("win_back", date(2026, 6, 5), SETTINGS) == "win_back/2026-04-22/45d"
    assert period_key("win_back", date(2026, 6, 6), SETTINGS) == "win_back/2026-06-06/45d"
    assert period_key("win_back", TODAY, CampaignSettings(winback_cooldown_days=1)) == "win_back/2026-05-20/1d"


def test_period_key_refuses_an_unknown_campaign():
    with pytest.raises(ValueError, match="unknown campaign 'newsletter'"):
        period_key("newsletter", TODAY, SETTINGS)


# -- settings ---------------------------------------------------------------------------------
def test_with_changes_converts_strings_to_each_settings_type():
    changed = SETTINGS.with_changes({
        "vip_segments": "Champions, Loyal ,Potential Loyalist", "winback_churn_probability": "0.8",
        "vip_cooldown_days": " 30 ", "sender_email": " News@Shop.com ",
        "logo_url": "https://cdn.example.com/l.png"})
    assert changed.vip_segments == ("Champions", "Loyal", "Potential Loyalist")
    assert (changed.winback_churn_probability, changed.vip_cooldown_days) == (0.8, 30)
    assert changed.sender_email == "news@shop.com" and changed.cooldown_days("vip_reward") == 30
    assert changed.with_changes({"logo_url": "", "winback_segments": ""}).logo_url is None
    assert changed.with_changes({"winback_segments": ""}).winback_segments == ()


@pytest.mark.parametrize(("changes", "message"), [
    ({"discount": "10"}, "unknown campaign setting 'discount'"),
    ({"vip_discount_percent": "1.5"}, "vip_discount_percent must be a whole number, got '1.5'"),
    ({"vip_discount_percent": "0"}, "vip_discount_percent must be a whole number from 1 to 100, got 0"),
    ({"max_emails_per_period": "true"}, "max_emails_per_period must be a whole number"),
    ({"winback_churn_probability": "1.5"}, "winback_churn_probability must be above 0 and at most 1"),
    ({"winback_churn_probability": "nan"}, "winback_churn_probability must be above 0 and at most 1"),
    ({"brand_color": "blue"}, "brand_color must be a colour like #1f6feb, got 'blue'"),
    ({"vip_segments": "Champions,Lost"}, "segment 'Lost' is in both vip_segments and winback_segments"),
    ({"sender_email": "news at shop"}, "sender_email must be an email address"),
    ({"sender_name": "Ann\nBcc: x@evil.com"}, "sender_name must be one non-empty line"),
    ({"logo_url": "http://cdn.example.com/l.png"}, "logo_url must be an https:// address"),
    ({"vip_template_id": "welcome"}, "vip_template_id must be a SendGrid dynamic template id"),
])
def test_invalid_settings_are_refused_with_a_clear_message(changes, message):
    with pytest.raises(InvalidCampaignSetting, match=message.replace("(", r"\(").replace(".", r"\.")):
        SETTINGS.with_changes(changes)


def test_a_sendgrid_template_id_is_accepted():
    template = "d-" + "0123456789abcdef" * 2
    assert SETTINGS.with_changes({"winback_template_id": template}).winback_template_id == template


def test_the_store_keeps_changes_per_tenant_and_the_latest_wins(tmp_path):
    url = f"sqlite:///{tmp_path}/new/folder/control.db"  # the folder does not exist yet
    with CampaignSettingsStore(url) as store:
        store.set("shop-a", {"vip_discount_percent": "10", "vip_segments": "Champions"}, "ana")
        store.set("shop-a", {"vip_discount_percent": "25"}, "ben")
        store.set("shop-b", {"brand_color": "#AA0000"}, "cy")
        assert store.changes("shop-a") == {"vip_discount_percent": 25, "vip_segments": ["Champions"]}
        assert store.get("shop-a") == CampaignSettings(vip_discount_percent=25, vip_segments=("Champions",))
        assert store.get("shop-b") == CampaignSettings(brand_color="#AA0000")
        assert store.get("shop-c") == CampaignSettings()
    with CampaignSettingsStore(url) as reopened:  # it is a file, not a cache
        assert reopened.get("shop-a").vip_discount_percent == 25


def test_the_store_records_nothing_when_a_change_is_invalid(tmp_path):
    with CampaignSettingsStore(f"sqlite:///{tmp_path}/control.db") as store:
        with pytest.raises(InvalidCampaignSetting):
            store.set("shop-a", {"vip_discount_percent": "10", "brand_color": "red"}, "ana")
        assert store.changes("shop-a") == {}
