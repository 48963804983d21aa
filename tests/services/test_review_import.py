"""Review files imported: CSV in every encoding exports use, XLSX, guessed mappings, date formats, both
duplicate rules, bad rows reported by line with good rows kept, and whole batches only when a batch fails."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.models import Escalation, Review
from huisheng.errors import InvalidInputError
from huisheng.runtime import Runtime
from huisheng.services import review_files
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.review_analysis import FollowUpPolicy
from huisheng.services.review_files import guess_mapping, read_table
from huisheng.services.review_import import ImportReport, run_import
from huisheng.services.review_rows import RowProblem, parse_date, parse_rating
from huisheng.services.reviews import ReviewAnalysis
from tests.factories import make_customer, make_order
from tests.stubs import stub_analyzer

CSV = "评价编号,评价内容,评分,评价时间\nr1,物流很快,5,2024/5/1\nr2,质量太差,1,2024-05-01 12:00\n"


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return stub_analyzer()


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def imported(
    runtime: Runtime, analyzer: TextAnalyzer, data: bytes, name: str = "r.csv", **kw: object
) -> ImportReport:
    table = read_table(data, name)
    mapping = kw.pop("mapping", None) or guess_mapping(table.headers)
    return run_import(runtime.session, analyzer, table, mapping=mapping, **kw)  # type: ignore[arg-type]


def stored_texts(session: Session) -> list[str]:
    return list(session.scalars(select(Review.text).order_by(Review.id)))


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + CSV.encode("utf-8"), "UTF-8 (BOM)"),
        (CSV.encode("gbk"), "GBK/GB18030"),
        (CSV.encode("utf-16"), "UTF-16"),
    ],
)
def test_a_csv_is_read_in_the_encoding_it_was_written_in(data: bytes, encoding: str) -> None:
    table = read_table(data, "r.csv")
    assert table.encoding == encoding
    assert table.headers == ["评价编号", "评价内容", "评分", "评价时间"]
    assert table.preview()[1] == ["r2", "质量太差", "1", "2024-05-01 12:00"]


def test_a_file_in_no_known_encoding_is_refused_in_chinese() -> None:
    with pytest.raises(InvalidInputError, match="无法识别文件编码"):
        read_table(b"text\n\xff\xfe\xfa\x80\x81\n"[2:] + b"\x81\xff", "r.csv")


def test_a_tab_separated_file_is_read_by_its_tabs() -> None:
    table = read_table("评论\t星级\n好,很好\t5\n".encode(), "r.txt")
    assert table.delimiter == "tab"
    assert table.preview() == [["好,很好", "5"]]


def test_an_xlsx_is_read_with_numbers_and_dates_as_excel_keeps_them() -> None:
    table = read_table(
        xlsx(
            [
                ["订单号", "评论内容", "星级", "日期"],
                [2024050112345.0, "不错", 4, datetime(2024, 5, 1, 9, 30)],
            ]
        ),
        "r.xlsx",
    )
    assert table.kind == "xlsx"
    assert table.preview() == [["2024050112345", "不错", "4", "2024-05-01 09:30:00"]]
    assert table.rows[0][0] == 2


def test_a_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_files, "MAX_BYTES", 100)
    with pytest.raises(InvalidInputError, match="文件太大") as caught:
        read_table(b"text\n" + "好".encode() * 60, "r.csv")
    assert caught.value.code == "file_too_large"


def test_a_file_over_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_files, "MAX_ROWS", 3)
    with pytest.raises(InvalidInputError, match="超过 3 行"):
        read_table(b"text\n1\n2\n3\n4\n", "r.csv")


def test_an_old_xls_and_a_broken_xlsx_are_refused_in_chinese() -> None:
    with pytest.raises(InvalidInputError, match=r"另存为 \.xlsx"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls")
    with pytest.raises(InvalidInputError, match="不是有效的 XLSX"):
        read_table(b"PK\x03\x04 not really a zip", "broken.xlsx")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["评价ID", "评价内容", "评分", "评价时间", "订单号", "商品名称", "买家手机号"],
            {
                "text": "评价内容",
                "rating": "评分",
                "date": "评价时间",
                "external_id": "评价ID",
                "order_no": "订单号",
                "product": "商品名称",
                "customer": "买家手机号",
            },
        ),
        (
            ["content", "Rating", "date", "order_no"],
            {"text": "content", "rating": "Rating", "date": "date", "order_no": "order_no"},
        ),
        (
            ["external_id", "text", "rating", "product_sku"],
            {"text": "text", "rating": "rating", "external_id": "external_id", "product": "product_sku"},
        ),
        (
            ["首次评价内容", "星级(1-5)", "评价时间(北京)", "宝贝"],
            {"text": "首次评价内容", "rating": "星级(1-5)", "date": "评价时间(北京)", "product": "宝贝"},
        ),
    ],
)
def test_the_mapping_is_guessed_from_common_headers(headers: list[str], expected: dict[str, str]) -> None:
    assert guess_mapping(headers) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024/5/1", datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("2024-05-01 12:00", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("2024/05/01 12:00:30", datetime(2024, 5, 1, 4, 0, 30, tzinfo=UTC)),
        ("2024年5月1日 12:00", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("2024.5.1", datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("2024-05-01T12:00:00+00:00", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        (45413, datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("45413.5", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        (datetime(2024, 5, 1, 12, 0), datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("", None),
    ],
)
def test_dates_in_the_formats_exports_use_are_read_as_china_time(
    value: object, expected: datetime | None
) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["昨天", "2024-13-01", "12", "2999-01-01"])
def test_an_unreadable_or_future_date_is_a_row_problem(value: str) -> None:
    with pytest.raises(RowProblem):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5), (4.0, 4), ("3星", 3), ("2分", 2), ("★★★★", 4), ("", None)]
)
def test_ratings_are_read_from_numbers_stars_and_words(value: object, expected: int | None) -> None:
    assert parse_rating(value) == expected


@pytest.mark.parametrize("value", ["0", "6", "4.5", "好评"])
def test_a_rating_outside_one_to_five_is_a_row_problem(value: str) -> None:
    with pytest.raises(RowProblem, match="评分"):
        parse_rating(value)


def test_good_rows_are_stored_analysed_and_bad_rows_reported_by_line(
    runtime: Runtime, session: Session, analyzer: TextAnalyzer
) -> None:
    data = (
        "评价编号,评价内容,评分,评价时间,订单号\n"
        "r1,物流很快,5,2024/5/1,\n"
        "r2,,3,2024/5/1,\n"
        "r3,还行,9,2024/5/1,\n"
        "r4,不错,4,下周,\n"
        "r5,质量太差,1,2024-05-02 08:00,\n"
        "r6,好,5,,NOPE-1\n"
        f"r7,{'长' * 10_001},5,,\n"
    ).encode()
    report = imported(runtime, analyzer, data)
    assert (report.total, report.done, report.stored, report.duplicates) == (7, 7, 2, 0)
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "评价内容为空"),
        (4, "评分“9”不在 1–5 之间"),
        (5, "无法识别的日期“下周”（可用 2024-05-01、2024/5/1 或 2024-05-01 12:00）"),
        (7, "订单号 NOPE-1 不存在"),
        (8, "评价内容太长（10,001 个字，上限 10,000）"),
    ]
    stored = list(session.scalars(select(Review).order_by(Review.id)))
    assert [
        (r.external_id, r.rating, r.sentiment_label.value if r.sentiment_label else None) for r in stored
    ] == [
        ("r1", 5, "positive"),
        ("r5", 1, "negative"),
    ]
    assert stored[0].created_at == datetime(2024, 4, 30, 16, 0, tzinfo=UTC)
    assert stored[0].source == "import" and stored[0].analyzed_at is not None and stored[0].tokens


def test_the_same_source_and_id_is_skipped_in_the_file_and_on_a_second_import(
    runtime: Runtime, session: Session, analyzer: TextAnalyzer
) -> None:
    data = "external_id,text\nr1,物流很快\nr1,物流很快\nr2,不错\n".encode()
    first = imported(runtime, analyzer, data, source="taobao")
    second = imported(runtime, analyzer, data, source="taobao")
    other_source = imported(runtime, analyzer, data, source="jd")
    assert (first.stored, first.duplicates) == (2, 1)
    assert (second.stored, second.duplicates) == (0, 3)
    assert (other_source.stored, other_source.duplicates) == (2, 1)
    assert session.scalar(select(func.count()).select_from(Review)) == 4


def test_the_same_customer_text_and_date_is_skipped_without_a_source_id(
    runtime: Runtime, session: Session, analyzer: TextAnalyzer
) -> None:
    customer = make_customer(session)
    customer.phone = "13800001111"
    session.commit()
    data = (
        "手机号,评价内容,日期\n"
        "13800001111,很好用,2024-05-01\n"
        "13800001111,很好用,2024/5/1\n"
        "13800001111,很好用,2024-05-02\n"
        "13800001111,也很好用,2024-05-01\n"
    ).encode()
    first = imported(runtime, analyzer, data)
    again = imported(runtime, analyzer, data)
    assert (first.stored, first.duplicates) == (3, 1)
    assert (again.stored, again.duplicates) == (0, 4)
    assert set(session.scalars(select(Review.customer_id))) == {customer.id}


def test_an_order_links_its_customer_and_a_negative_review_opens_a_follow_up(
    runtime: Runtime, session: Session, analyzer: TextAnalyzer
) -> None:
    order = make_order(session, customer=make_customer(session))
    session.commit()
    data = f"订单号,评价内容\n{order.order_no},质量太差了,再也不买了\n".encode()
    report = imported(runtime, analyzer, data, follow_up=FollowUpPolicy())
    assert (report.stored, report.follow_ups) == (1, 1)
    review = session.scalars(select(Review)).one()
    assert (review.order_id, review.customer_id) == (order.id, order.customer_id)
    assert session.scalar(select(Escalation.review_id)) == review.id


def test_an_unknown_customer_is_a_bad_row(runtime: Runtime, analyzer: TextAnalyzer) -> None:
    report = imported(runtime, analyzer, "客户,评价\n13900000000,好\n".encode())
    assert [(p.line, p.reason) for p in report.problems] == [(2, "找不到客户“13900000000”")]


def test_an_xlsx_import_stores_its_rows(runtime: Runtime, session: Session, analyzer: TextAnalyzer) -> None:
    data = xlsx(
        [
            ["评论内容", "星级", "日期"],
            ["发货快", 5, datetime(2024, 5, 1)],
            [None, 3, 45413],
            ["还可以", 4, 45413],
        ]
    )
    report = imported(runtime, analyzer, data, "r.xlsx")
    assert report.stored == 2
    assert [(p.line, p.reason) for p in report.problems] == [(3, "评价内容为空")]
    assert stored_texts(session) == ["发货快", "还可以"]


def test_a_mapping_without_text_or_with_an_unknown_column_is_refused(
    runtime: Runtime, analyzer: TextAnalyzer
) -> None:
    table = read_table(b"a,b\n1,2\n", "r.csv")
    with pytest.raises(InvalidInputError, match="评价内容"):
        run_import(runtime.session, analyzer, table, mapping={"rating": "a"})
    with pytest.raises(InvalidInputError, match="没有这些列"):
        run_import(runtime.session, analyzer, table, mapping={"text": "c"})


class FailsOnSecondBatch(TextAnalyzer):
    calls = 0

    def analyze_many(self, texts: Sequence[str], *, blank_as_neutral: bool = False) -> list[ReviewAnalysis]:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("the model crashed")
        return super().analyze_many(texts, blank_as_neutral=blank_as_neutral)


def test_a_crash_leaves_whole_batches_each_review_with_its_analysis(
    runtime: Runtime, session: Session, analyzer: TextAnalyzer
) -> None:
    crashing = FailsOnSecondBatch(
        segmenter=analyzer.segmenter,
        keywords=analyzer.keywords,
        aspects=analyzer.aspects,
        classifier=analyzer.classifier,
        version=analyzer.version,
    )
    data = ("text\n" + "".join(f"第{n}条不错\n" for n in range(5))).encode()
    report = ImportReport()
    with pytest.raises(RuntimeError, match="crashed"):
        imported(runtime, crashing, data, batch_size=2, report=report)
    assert (report.done, report.stored) == (2, 2)
    assert stored_texts(session) == ["第0条不错", "第1条不错"]
    assert session.scalar(select(func.count()).where(Review.analyzed_at.is_(None))) == 0


def test_progress_is_reported_after_each_batch(runtime: Runtime, analyzer: TextAnalyzer) -> None:
    seen: list[tuple[int, int]] = []
    data = ("text\n" + "".join(f"好评{n}\n" for n in range(5))).encode()
    imported(runtime, analyzer, data, batch_size=2, progress=lambda r: seen.append((r.done, r.stored)))
    assert seen == [(2, 2), (4, 4), (5, 5)]
