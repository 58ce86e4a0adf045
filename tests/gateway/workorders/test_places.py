"""Place keys that duplicate appeals share."""

from __future__ import annotations

import pytest

from gateway.workorders.places import place_key


@pytest.mark.parametrize(
    ("entities", "key"),
    [
        ([{"type": "address", "value": "幸福小区东门"}], "幸福小区"),
        ([{"type": "address", "value": "幸福小区 门口"}], "幸福小区"),
        ([{"type": "address", "value": "幸福小区，附近"}], "幸福小区"),
        ([{"type": "address", "value": "ＸＸ路１２号"}], "xx路12号"),
        ([{"type": "phone", "value": "13812345678"}, {"type": "address", "text": "人民公园"}], "人民公园"),
        ([{"type": "phone", "value": "13812345678"}], ""),
        ([], ""),
    ],
)
def test_place_key(entities: list[dict[str, object]], key: str) -> None:
    assert place_key(entities) == key
