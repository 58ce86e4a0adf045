import pytest

import nlu


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话138****5678"),
        ("手机：138 1234 5678", "手机：138****5678"),
        ("身份证320102199001011232", "身份证3201**********1232"),
        ("身份证号11010519491231002x", "身份证号1101**********002X"),
        ("我叫张伟", "我叫张*"),
        ("车牌苏A12345", "车牌苏A***45"),
        ("住在南京市鼓楼区宁海路街道北京西路12号3栋201室", "住在南京市鼓楼区宁海路街道北京西路***"),
        ("卡号6222021234567890123", "卡号6222***********0123"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert nlu.mask_pii(text) == expected


def test_mask_keeps_non_pii_text() -> None:
    text = "物业不作为，楼道堆满杂物。"
    assert nlu.mask_pii(text) == text


def test_mask_full_width_digits() -> None:
    assert "5678" in nlu.mask_pii("电话１３８１２３４５６７８")
    assert "1234" not in nlu.mask_pii("电话１３８１２３４５６７８")
