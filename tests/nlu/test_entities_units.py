import pytest

from nlu.entities.idcard import checksum_char, is_valid_id15, is_valid_id18
from nlu.numerals import parse_number


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三万二", 32000),
        ("两千五", 2500),
        ("十二", 12),
        ("1.5万", 15000),
        ("一千零五", 1005),
        ("三百六", 360),
        ("二十三", 23),
        ("三十万", 300000),
        ("3千", 3000),
        ("一百零八", 108),
        ("3万5", 35000),
        ("十万零五百", 100500),
        ("2千5", 2500),
        ("一万零五", 10005),
        ("两", 2),
    ],
)
def test_parse_number(numeral: str, value: int) -> None:
    assert parse_number(numeral) == value


def test_parse_number_rejects_words() -> None:
    with pytest.raises(ValueError):
        parse_number("三个")


@pytest.mark.parametrize(
    ("first17", "check"), [("32010219900101123", "2"), ("11010519491231002", "X"), ("44030419851212456", "9")]
)
def test_checksum(first17: str, check: str) -> None:
    assert checksum_char(first17) == check


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("320102199001011232", True),
        ("320102199001011233", False),  # wrong checksum
        ("320102199002301236", False),  # 30 February
        ("020102199001011232", False),  # no region starts with 0
        ("320102209901011234", False),  # born in the future
    ],
)
def test_id18(number: str, valid: bool) -> None:
    assert is_valid_id18(number) is valid


def test_id15() -> None:
    assert is_valid_id15("320102900101123")
    assert not is_valid_id15("320102901301123")


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        # "…里" after a place inside a building is where someone is, not a lane address
        ("我被困在电梯里了", []),
        ("孩子在卫生间里滑倒了", []),
        ("东西落在柜子里了", []),
        # lanes named 里 are still addresses
        ("我住在幸福里3栋502", ["幸福里3栋502"]),
        ("上海市黄浦区福州路步高里5号", ["上海市黄浦区福州路步高里5号"]),
    ],
)
def test_locative_li_is_not_an_address(text: str, addresses: list[str]) -> None:
    import nlu

    assert [e.text for e in nlu.analyse(text).entities if e.type == "address"] == addresses
