"""Rendering per tenant, discount codes, personalisation and the dry-run outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser

import pytest

from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.outbox import write_outbox
from commerce_pipeline.marketing.render import (
    SUBSTITUTION_TAGS,
    branding_for,
    discount_code,
    personalize,
    render_campaign,
    substitutions,
)

SETTINGS = CampaignSettings()
ACME = branding_for("Acme Shoes", "acme-shoes.myshopify.com", SETTINGS)
FOOTER = ("You receive this because you agreed to hear from Acme Shoes. "
          "Reply UNSUBSCRIBE or use <%asm_group_unsubscribe_raw_url%>")
SENT_AT = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)


def outbox(folder, profile_id="p_1", campaign="vip_reward", to_name="Ann", branding=ACME, **overrides):
    rendered = render_campaign(campaign, branding, SETTINGS)
    subject, html, text = personalize(rendered, substitutions(to_name, "VIP-ABCDEFGH"))
    arguments = dict(tenant_id="acme-shoes", campaign=campaign, profile_id=profile_id,
                     to_email=f"{profile_id}@example.com", to_name=to_name, branding=branding, subject=subject,
                     html=html, text=text, categories=[campaign, "acme-shoes"],
                     custom_args={"tenant": "acme-shoes", "profile_id": profile_id}, sent_at=SENT_AT)
    return write_outbox(folder, **{**arguments, **overrides})


class _Balance(HTMLParser):
    """Every element that must be closed is closed, in order."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"unexpected </{tag}>"


# -- branding ---------------------------------------------------------------------------------
def test_branding_defaults_to_the_tenant_name_and_a_hello_address_at_the_shop_domain():
    assert (ACME.brand_name, ACME.sender_name, ACME.sender_email, ACME.reply_to) == (
        "Acme Shoes", "Acme Shoes", "hello@acme-shoes.myshopify.com", None)
    assert (ACME.shop_url, ACME.brand_color, ACME.logo_url) == (
        "https://acme-shoes.myshopify.com", "#1f6feb", None)


def test_branding_takes_the_tenants_sender_reply_to_colour_and_logo_from_its_settings():
    settings = CampaignSettings(sender_email="news@acme.com", sender_name="Ana at Acme",
                                reply_to="help@acme.com", brand_color="#aa3300",
                                logo_url="https://cdn.acme.com/logo.png")
    branding = branding_for("Acme Shoes", "acme-shoes.myshopify.com", settings)
    assert (branding.sender_email, branding.sender_name, branding.reply_to) == (
        "news@acme.com", "Ana at Acme", "help@acme.com")
    html = render_campaign("vip_reward", branding, settings).html
    assert "background:#aa3300" in html and '<img src="https://cdn.acme.com/logo.png" alt="Acme Shoes"' in html


# -- rendering --------------------------------------------------------------------------------
def test_the_vip_reward_names_the_brand_the_discount_percent_and_the_tags():
    rendered = render_campaign("vip_reward", ACME, SETTINGS)
    assert rendered.subject == "A thank-you from Acme Shoes: 15% off your next order"
    for part in (rendered.html, rendered.text):
        assert "Hi -first_name-," in part and "-discount_code-" in part and "15% off" in part
        assert "https://acme-shoes.myshopify.com/?utm_source=email" in part and "Acme Shoes" in part
    assert rendered.text.rstrip().endswith(FOOTER)
    assert "background:#1f6feb" in rendered.html


def test_win_back_offers_the_winback_discount_percent():
    rendered = render_campaign("win_back", ACME, CampaignSettings(winback_discount_percent=30))
    assert rendered.subject == "We miss you at Acme Shoes: 30% off your next order"
    assert "30% off" in rendered.text and "<strong>30% off</strong>" in rendered.html
    assert "utm_campaign=win_back" in rendered.text


def test_the_brand_name_is_escaped_in_html_and_plain_in_the_text_and_subject():
    branding = branding_for("Bob's <Shop>", "bobs.myshopify.com", SETTINGS)
    rendered = render_campaign("vip_reward", branding, SETTINGS)
    assert "Bob&#39;s &lt;Shop&gt;" in rendered.html and "<Shop>" not in rendered.html
    assert "Bob's <Shop>" in rendered.text and rendered.subject.startswith("A thank-you from Bob's <Shop>:")


def test_the_unsubscribe_tag_reaches_sendgrid_unescaped_in_the_html():
    html = render_campaign("win_back", ACME, SETTINGS).html
    assert '<a href="<%asm_group_unsubscribe_raw_url%>"' in html
    assert "You receive this because you agreed to hear from Acme Shoes. Reply UNSUBSCRIBE or use" in html


@pytest.mark.parametrize("campaign", ["vip_reward", "win_back"])
def test_the_html_is_a_complete_well_nested_document(campaign):
    checker = _Balance()
    checker.feed(render_campaign(campaign, ACME, SETTINGS).html)
    assert checker.open == []


def test_two_tenants_renders_never_share_a_sender_or_a_brand():
    zeta_settings = CampaignSettings(brand_color="#00aa55")
    zeta = branding_for("Zeta Tea", "zeta-tea.myshopify.com", zeta_settings)
    acme = render_campaign("vip_reward", ACME, SETTINGS)
    zeta_mail = render_campaign("vip_reward", zeta, zeta_settings)
    assert zeta.sender_email == "hello@zeta-tea.myshopify.com" != ACME.sender_email
    pairs = ((acme, ("Zeta", "zeta-tea", "#00aa55")), (zeta_mail, ("Acme", "acme-shoes", "#1f6feb")))
    for mine, theirs in pairs:
        for part in (mine.subject, mine.html, mine.text):
            assert not any(word in part for word in theirs)


def test_an_unknown_campaign_is_refused():
    with pytest.raises(ValueError, match="unknown campaign 'newsletter'"):
        render_campaign("newsletter", ACME, SETTINGS)


# -- codes and personalisation ----------------------------------------------------------------
def test_discount_codes_are_deterministic_with_a_campaign_prefix():
    code = discount_code("acme-shoes", "vip_reward", "p_1", "vip_reward/2026-05-07/60d")
    assert code == discount_code("acme-shoes", "vip_reward", "p_1", "vip_reward/2026-05-07/60d")
    assert re.fullmatch(r"VIP-[A-Z2-7]{8}", code)
    back = discount_code("acme-shoes", "win_back", "p_1", "win_back/2026-04-22/45d")
    assert re.fullmatch(r"BACK-[A-Z2-7]{8}", back)


def test_discount_codes_keep_their_values_so_a_rerun_repeats_the_same_codes():
    # codes already sent must not change: the first 8 base32 characters of the key's SHA-256
    assert discount_code("acme-shoes", "vip_reward", "p_1", "vip_reward/2026-05-07/60d") == "VIP-LUVSTEIV"
    assert discount_code("acme-shoes", "win_back", "p_1", "win_back/2026-04-22/45d") == "BACK-NBMZ2Q4R"


def test_discount_codes_differ_by_tenant_profile_and_period():
    codes = {discount_code("acme-shoes", "vip_reward", "p_1", "vip_reward/2026-05-07/60d"),
             discount_code("zeta-tea", "vip_reward", "p_1", "vip_reward/2026-05-07/60d"),
             discount_code("acme-shoes", "vip_reward", "p_2", "vip_reward/2026-05-07/60d"),
             discount_code("acme-shoes", "vip_reward", "p_1", "vip_reward/2026-07-06/60d"),
             discount_code("acme-shoes", "vip_reward", "p_1p", "_2"),
             discount_code("acme-shoes", "vip_reward", "p_1", "p_2")}
    assert len(codes) == 6


def test_substitutions_greet_there_without_a_name_and_remove_html_characters():
    assert substitutions(None, "VIP-ABCDEFGH") == {"-first_name-": "there", "-discount_code-": "VIP-ABCDEFGH"}
    assert substitutions("  ", "VIP-ABCDEFGH")["-first_name-"] == "there"
    assert substitutions('Ann <b>&"\n', "VIP-ABCDEFGH")["-first_name-"] == "Ann b"
    assert substitutions("<>", "VIP-ABCDEFGH")["-first_name-"] == "there"


def test_substitutions_refuse_a_code_that_is_not_html_safe():
    with pytest.raises(ValueError, match="discount code"):
        substitutions("Ann", "<b>VIP</b>")


def test_personalize_replaces_every_tag_in_subject_html_and_text():
    subject, html, text = personalize(render_campaign("vip_reward", ACME, SETTINGS),
                                      substitutions("Ann", "VIP-ABCDEFGH"))
    for part in (subject, html, text):
        assert not any(tag in part for tag in SUBSTITUTION_TAGS)
    assert "Hi Ann," in html and "Hi Ann," in text
    assert "<strong>VIP-ABCDEFGH</strong>" in html and "    VIP-ABCDEFGH\n" in text


def test_personalize_substitutes_in_one_pass_and_needs_every_tag():
    rendered = render_campaign("vip_reward", ACME, SETTINGS)
    _, _, text = personalize(rendered, {"-first_name-": "-discount_code-", "-discount_code-": "VIP-ABCDEFGH"})
    assert "Hi -discount_code-," in text and "    VIP-ABCDEFGH\n" in text
    with pytest.raises(ValueError, match="no value for -discount_code-"):
        personalize(rendered, {"-first_name-": "Ann"})


# -- the outbox -------------------------------------------------------------------------------
def test_write_outbox_writes_an_eml_with_the_headers_and_text_before_html(tmp_path):
    path = outbox(tmp_path, to_name="Ann Öberg", branding=branding_for(
        "Acme Shoes", "acme-shoes.myshopify.com", CampaignSettings(reply_to="help@acme.com")))
    assert path == tmp_path / "vip_reward" / "p_1.eml"
    message = BytesParser(policy=policy.default).parse(path.open("rb"))
    assert (message["From"], message["To"], message["Reply-To"]) == (
        "Acme Shoes <hello@acme-shoes.myshopify.com>", "Ann Öberg <p_1@example.com>", "help@acme.com")
    assert message["Subject"] == "A thank-you from Acme Shoes: 15% off your next order"
    assert message["Date"].datetime == SENT_AT
    assert (message["X-Commerce-Tenant"], message["X-Commerce-Campaign"], message["X-Commerce-Profile"]) == (
        "acme-shoes", "vip_reward", "p_1")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content().startswith("Hi Ann Öberg,\n") and "VIP-ABCDEFGH" in html.get_content()


def test_the_outbox_index_lists_every_email(tmp_path):
    outbox(tmp_path, "p_1")
    outbox(tmp_path, "p_2", campaign="win_back", to_name=float("nan"))  # a warehouse null
    index = (tmp_path / "index.html").read_text()
    assert "<h1>Outbox: 2 emails</h1>" in index
    assert '<td>vip_reward</td><td>p_1</td><td>Ann &lt;p_1@example.com&gt;</td>' in index
    assert "<td>win_back</td><td>p_2</td><td>p_2@example.com</td><td>We miss you at Acme Shoes: 20% off" in index
    assert '<a href="vip_reward/p_1.eml">' in index and '<a href="win_back/p_2.eml">' in index


def test_writing_the_same_email_again_overwrites_it(tmp_path):
    first = outbox(tmp_path).read_bytes()
    index = (tmp_path / "index.html").read_bytes()
    assert outbox(tmp_path).read_bytes() == first
    assert (tmp_path / "index.html").read_bytes() == index
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "index.html", "vip_reward", "vip_reward/p_1.eml"]


def test_write_outbox_refuses_a_profile_id_that_is_not_a_plain_file_name(tmp_path):
    with pytest.raises(ValueError, match="cannot name an outbox file"):
        outbox(tmp_path, profile_id="../p_1")
    assert list(tmp_path.iterdir()) == []
