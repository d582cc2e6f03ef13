"""What a link shows people (history, review queue): its match key without a phone's guard; a
name and address with the phone it was guarded by."""

import numpy as np
import pandas as pd

from commerce_pipeline.identity.graph import identity_graph, shown_value

COLUMNS = ["source_key", "source_kind", "channel", "kind", "value", "match_key", "given_name",
           "priority", "excluded_reason"]


def _record(key: str, given: str, *identifiers: tuple[str, str]) -> list[tuple]:
    rows = [(key, "customer", "shopify", "source_id", key, key, given, 0, None)]
    return rows + [(key, "customer", "shopify", kind, match, match, given, 1, None)
                   for kind, match in identifiers]


def test_every_link_shows_what_shown_value_makes_of_its_guarded_match_key():
    home = ("name_address", "ann lee|1 main st|10001")
    frame = pd.DataFrame(
        _record("shopify:1", "ann", ("phone", "+12125550101"), ("email", "ann@x.com"), home)
        + _record("shopify:2", "ann", ("phone", "+12125550101"), ("email", "ann@x.com"), home)
        + _record("shopify:3", "bo", ("name_address", "bo ng|2 elm st|10002"))
        + _record("shopify:4", "bo", ("name_address", "bo ng|2 elm st|10002")),
        columns=COLUMNS)
    _, links = identity_graph(frame)
    every = np.arange(len(links.node))
    expected = [shown_value(k, m) for k, m in zip(links.kind_text(every), links.match_key(every))]
    assert links.shown(every) == expected
    assert "+12125550101|ann" in links.match_key(every) and "+12125550101" in expected
    assert "ann lee|1 main st|10001|+12125550101" in expected  # a name shows its phone guard
