"""Segment member lists as CSV, with a byte-order mark so Excel opens the Chinese correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from huisheng.services.segments.service import Member

HEADER = ["客户ID", "客户", "分群", "原因", "计算时间(UTC)"]


def members_csv(members: Iterable[Member]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for member in members:
        writer.writerow(
            [
                member.customer_id,
                member.name or "",
                member.segment,
                member.reason,
                member.computed_at.isoformat(),
            ]
        )
    return out.getvalue()
