"""Extraction over the whole demo corpus matches the metadata in its gold manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

from storyline.extract.build import ExtractOptions, extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article


def test_demo_extraction_metadata_matches_gold(demo_dir: Path) -> None:
    corpus = demo_dir / "corpus"
    gold = {
        str(corpus / a["source"]): a
        for a in json.loads((demo_dir / "gold.json").read_text())["articles"]
    }
    articles = [
        a
        for a in extract_records(read_paths([corpus]), options=ExtractOptions())
        if isinstance(a, Article)
    ]
    assert len(articles) == len(gold)
    problems = []
    for article in articles:
        want = gold[article.source]
        got = {
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "published": article.published.date().isoformat(),
            "authors": article.authors,
        }
        raw = Path(article.source.split(":")[0]).name + article.raw
        for key in ("title", "url", "outlet", "published"):
            if (
                key == "outlet"
                and not article.url
                and want["outlet"].removeprefix("The ") not in raw
            ):
                continue  # nothing in the input names the outlet: None is the honest answer
            if got[key] != want[key]:
                problems.append((Path(article.source).name, key, got[key], want[key]))
        if want["authors"] and not set(want["authors"]) & set(got["authors"]):
            problems.append((Path(article.source).name, "authors", got["authors"], want["authors"]))
        for noise in (
            "Share this article",
            "Sign up",
            "This audio is created",
            "©",
            "Read more:",
            "Related article",
            "Authors:",
            "Original url",
        ):
            if noise in article.text:
                problems.append((Path(article.source).name, "noise", noise, ""))
        if re.search(r"</?[a-z]+[ >]", article.text):
            problems.append((Path(article.source).name, "html tag", article.text[:60], ""))
    assert not problems, "\n".join(map(str, problems))
