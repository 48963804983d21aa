"""`huisheng import-reviews`: a marketplace export with a mapping, the report with bad rows by line, and the
bad rows written to a CSV; the keyword sentiment stub stands in for the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crm_store.enums import ImportStatus
from crm_store.models import Review
from huisheng.cli.main import app
from huisheng.runtime import Runtime
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.review_import_jobs import ImportJob
from tests.stubs import stub_analyzer

runner = CliRunner()
EXPORT = "评价ID\t买家评论\t星级\t时间\nt1\t发货很快\t5\t2024/5/1\nt2\t\t4\t2024/5/1\nt3\t质量太差\t0\t2024/5/1\nt4\t还行\t3\t45413\n"


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "cli.db"
    monkeypatch.setenv("HUISHENG_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("HUISHENG_APP_DATA_DIR", str(tmp_path))
    analyzer = stub_analyzer()
    monkeypatch.setattr(Runtime, "analyzer", property(lambda self: analyzer))
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return tmp_path


def stored(tmp_path: Path) -> list[tuple[str, str | None, int | None]]:
    runtime = Runtime()
    try:
        with runtime.session() as session:
            return [
                (r.source, r.external_id, r.rating)
                for r in session.scalars(select(Review).order_by(Review.id))
            ]
    finally:
        runtime.close()


def history() -> list[ImportJob]:
    runtime = Runtime()
    try:
        return runtime.review_imports.recent()
    finally:
        runtime.close()


def test_an_export_is_imported_through_the_mapping_with_bad_rows_listed_by_line(cli_env: Path) -> None:
    export = cli_env / "export.tsv"
    export.write_text(EXPORT, encoding="gbk")
    report = cli_env / "bad.csv"
    result = runner.invoke(
        app,
        [
            "import-reviews", str(export), "--source", "taobao", "--report", str(report),
            "--mapping", "text=买家评论,rating=星级,external_id=评价ID,date=时间",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mapping: text=买家评论, rating=星级, date=时间, external_id=评价ID" in result.output
    assert "导入 2 条, 重复跳过 0 条, 有问题 2 条" in result.output
    assert "第 3 行: 评价内容为空" in result.output
    assert "第 4 行: 评分“0”不在 1–5 之间" in result.output
    assert stored(cli_env) == [("taobao", "t1", 5), ("taobao", "t4", 3)]
    assert report.read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "3,评价内容为空,",
        "4,评分“0”不在 1–5 之间,质量太差",
    ]

    again = runner.invoke(app, ["import-reviews", str(export), "--source", "taobao"])
    assert again.exit_code == 0 and "导入 0 条, 重复跳过 2 条" in again.output


def test_a_mapping_naming_a_missing_column_stops_before_anything_is_stored(cli_env: Path) -> None:
    export = cli_env / "export.csv"
    export.write_text("评论\n好\n", encoding="utf-8")
    result = runner.invoke(app, ["import-reviews", str(export), "--mapping", "text=内容"])
    assert result.exit_code == 2
    assert "文件里没有这些列：内容" in result.output
    assert stored(cli_env) == []


def test_a_mapping_pair_without_an_equals_sign_is_a_usage_error(cli_env: Path) -> None:
    export = cli_env / "export.csv"
    export.write_text("评论\n好\n", encoding="utf-8")
    result = runner.invoke(app, ["import-reviews", str(export), "--mapping", "text"])
    assert result.exit_code == 2
    assert "field=column" in result.output


def test_an_import_is_recorded_in_the_import_history_with_its_counts_and_bad_rows(cli_env: Path) -> None:
    export = cli_env / "export.tsv"
    export.write_text(EXPORT, encoding="gbk")
    result = runner.invoke(
        app, ["import-reviews", str(export), "--source", "taobao", "--mapping", "text=买家评论,rating=星级"]
    )
    assert result.exit_code == 0, result.output
    [job] = history()
    assert f"recorded as import {job.id}" in result.output
    assert (job.filename, job.source, job.status, job.error) == (
        "export.tsv",
        "taobao",
        ImportStatus.DONE,
        None,
    )
    assert job.mapping == {"text": "买家评论", "rating": "星级"}
    report = job.report
    assert (report.total, report.done, report.stored, report.failed) == (4, 4, 2, 2)
    assert [(p.line, p.reason) for p in report.problems] == [(3, "评价内容为空"), (4, "评分“0”不在 1–5 之间")]
    assert job.finished_at is not None


def test_an_import_that_breaks_off_exits_2_and_is_recorded_as_failed(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: TextAnalyzer, texts: list[str], **kwargs: object) -> list[object]:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(TextAnalyzer, "analyze_many", broken)
    export = cli_env / "export.csv"
    export.write_text("评论\n好\n", encoding="utf-8")
    result = runner.invoke(app, ["import-reviews", str(export), "--mapping", "text=评论"])
    assert result.exit_code == 2
    [job] = history()
    assert job.status is ImportStatus.FAILED and job.error
    assert job.error in result.output
