from __future__ import annotations

import csv
from pathlib import Path

import pytest

from classifier.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from classifier.errors import CatalogueError, UnknownCategory

TAXONOMY = Path(__file__).parents[2] / "classifier" / "data" / "category_taxonomy_3level.csv"


def test_catalogue_covers_every_first_and_second_level_class_of_the_taxonomy() -> None:
    catalogue = load_catalogue()
    with TAXONOMY.open(encoding="utf-8") as fh:
        pairs = {(row["一级分类"], row["二级分类"]) for row in csv.DictReader(fh)}
    assert len({l1 for l1, _ in pairs}) == 15
    missing = sorted(pairs - set(catalogue.entries))
    assert missing == []


@pytest.mark.parametrize(
    ("l1", "l2", "district", "department", "details"),
    [
        ("城乡建设", "城市建设和市政管理", None, "市城市管理局", ("location",)),
        ("城乡建设", "城市建设和市政管理", "城东区", "城东区城市管理局", ("location",)),
        ("城乡建设", "城市建设和市政管理", "高新区", "高新区综合执法局", ("location",)),
        (
            "劳动和社会保障",
            "工资福利",
            None,
            "市人力资源和社会保障局（劳动保障监察支队）",
            ("employer", "amount", "location"),
        ),
        ("政法", "交通管理", "滨江区", "滨江区交警大队", ("location", "time", "vehicle")),
        ("政法", "法制建设", "滨江区", "市司法局", ()),
        ("纪检监察", "贪污贿赂", None, "市纪委监委", ("organisation", "person")),
    ],
)
def test_route_department_and_required_details(l1, l2, district, department, details) -> None:
    route = load_catalogue().route(l1, l2, district)
    assert route.department == department
    assert route.required_details == details
    assert route.deadline_working_days > 0


def test_consultations_are_due_in_one_working_day_whatever_the_category() -> None:
    catalogue = load_catalogue()
    assert catalogue.route("纪检监察", "贪污贿赂", appeal_type="咨询").deadline_working_days == 1
    assert catalogue.route("纪检监察", "贪污贿赂", appeal_type="举报").deadline_working_days == 15


def test_unknown_second_level_falls_back_to_other_and_unknown_first_level_raises() -> None:
    catalogue = load_catalogue()
    assert catalogue.route("环境保护", "不存在的二级").category_l2 == "其他"
    with pytest.raises(UnknownCategory):
        catalogue.route("火星事务", "其他")


def test_utilities_listed_for_municipal_services_and_detected_in_text() -> None:
    catalogue = load_catalogue()
    route = catalogue.route("城乡建设", "城市建设和市政管理")
    assert {u.key for u in route.utilities} == {"water", "power", "gas", "heating"}
    assert any("95598" in note for note in route.utility_notes)
    assert [u.key for u in catalogue.detect_utilities("家里突然停电了，整栋楼都黑了")] == ["power"]
    assert catalogue.route("科技与信息产业", "电信").utilities[0].key == "telecom"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("categories: {城乡建设: {subcategories: {其他: {}}}}", "missing department"),
        (
            "details: {}\ncategories: {城乡建设: {department: 局, deadline_working_days: 3, "
            "required_details: [location], subcategories: {其他: {}}}}",
            "not defined under 'details'",
        ),
        ("categories: {城乡建设: {department: 局, deadline_working_days: 0, subcategories: {其他: {}}}}", "positive"),
        ("categories: [1, 2]", "top level"),
        (
            "categories: {城乡建设: {department: 局, deadline_working_days: 2,"
            " subcategories: {其他: {utilities: [x]}}}}",
            "unknown utility",
        ),
    ],
)
def test_invalid_catalogues_are_refused_with_a_clear_message(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_default_path_is_the_shipped_file() -> None:
    assert DEFAULT_CATALOGUE_PATH.exists()
    assert load_catalogue(DEFAULT_CATALOGUE_PATH).name.startswith("集成事项清单")
