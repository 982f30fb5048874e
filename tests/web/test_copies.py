"""Copies on the web: "N copies" in the API and on the pages (stories/copies.py).

The session corpus's fire reports are one wire text, each with a changed line and its own
headline: the Jun 5 and Jun 9 ones are stored as copies of the Jun 3 and Jun 2 ones.
"""

from __future__ import annotations

from typing import Any


def _fire(client: Any) -> dict[str, Any]:
    items = client.get("/api/v1/stories", params={"q": "Kelham warehouse"}).json()["items"]
    assert items[0]["copy_count"] == 2
    return client.get(f"/api/v1/stories/{items[0]['id']}").json()  # type: ignore[no-any-return]


def test_web_copies_in_the_api(client: Any) -> None:
    story = _fire(client)
    by_id = {a["id"]: a for a in story["articles"]}
    copies = [a for a in story["articles"] if a["copy_of"]]
    assert {by_id[c["copy_of"]]["published"][:10] for c in copies} == {"2024-06-02", "2024-06-03"}
    assert all(by_id[c["copy_of"]]["copy_of"] is None for c in copies)
    assert sum(a["copy_count"] for a in story["articles"]) == 2
    # Counted once: no timeline rows or "reported by" outlets of their own.
    assert not {row["article_id"] for row in story["timeline"]} & {c["id"] for c in copies}
    carried = story["coverage"]["carried"]
    assert sorted(i for ids in carried.values() for i in ids) == sorted(c["copy_of"]
                                                                         for c in copies)
    copy = client.get(f"/api/v1/articles/{copies[0]['id']}").json()
    assert copy["copy_of"] == copies[0]["copy_of"] and copy["copies"] == []
    original = client.get(f"/api/v1/articles/{copies[0]['copy_of']}").json()
    assert original["copy_of"] is None
    assert [c["id"] for c in original["copies"]] == [copies[0]["id"]]


def test_web_copies_on_the_pages(client: Any) -> None:
    story = _fire(client)
    copy = next(a for a in story["articles"] if a["copy_of"])
    html = client.get(f"/stories/{story['id']}").text
    assert f"{story['article_count']} articles and 2 copies" in html
    assert html.count('<p class="copies">') == 2
    assert "Carried as copies:" in html
    page = client.get(f"/articles/{copy['id']}").text
    assert "<dt>Copy of</dt>" in page and f'href="/articles/{copy["copy_of"]}"' in page
    original = client.get(f"/articles/{copy['copy_of']}").text
    assert "<dt>Copies</dt>" in original and f'href="/articles/{copy["id"]}"' in original
