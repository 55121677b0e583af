"""The action register comes 100 actions a page, in the register's order, with links to the next page."""

from __future__ import annotations

import pytest

PAGE = 100
ORDER = "order by coalesce(committee, council, ''), meeting_date, document_id, start"


def rows(get, path: str) -> list[dict]:
    r = get(f"/minutes/{path}&_shape=array&_size=max")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("status", ["", "open"])
def test_pages_follow_each_other_in_register_order(get, db, status):
    where = "where status = ?" if status else "where ? = ''"
    expected = [r[0] for r in db.execute(f"select reference from actions {where} {ORDER}", [status])]
    assert expected
    pages = [[r["reference"] for r in rows(get, f"action_register.json?status={status}&page={n}")] for n in (1, 2, 3)]
    assert pages == [expected[:PAGE], expected[PAGE : 2 * PAGE], expected[2 * PAGE : 3 * PAGE]]
    assert rows(get, f"action_register.json?status={status}&page=") == rows(
        get, f"action_register.json?status={status}&page=1"
    )


def test_a_full_page_links_to_the_next_and_a_later_one_back(get, db):
    (n,) = db.execute("select count(*) from actions").fetchone()
    first = get("/minutes/action_register?committee=&status=").text
    assert ('class="page-next"' in first) == (n > PAGE)
    assert 'class="page-previous"' not in first
    second = get("/minutes/action_register?committee=&status=&page=2").text
    assert 'class="page-previous" href="?page=1"' in second
